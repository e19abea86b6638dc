/**
 * Every criterion on real PyTorch-exported architectures (tests/fixtures/torch-models: BatchNorm kept
 * as nodes, depthwise and grouped convs, channel shuffle, squeeze-excitation, hard-swish, attention
 * with GELU and LayerNorm): one score per layer, all finite. Cheap settings; correctness of the
 * values is checked on hand-built models in the other files.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRITERIA, criterionInstance } from '../../src/criteria/index.js';
import { scoreModel } from '../../src/criteria/score.js';
import { openEvalData } from '../../src/data/index.js';
import { prepareModelFile } from '../../src/model/prepare.js';

const ROOT = 'tests/fixtures/torch-models';
const MODELS = existsSync(ROOT) ? readdirSync(ROOT).filter((m) => existsSync(join(ROOT, m, 'model.onnx'))) : [];

describe.each(MODELS)('%s', (name) => {
  it('gets a finite score for every layer from every criterion', async () => {
    const data = await openEvalData({ data: join(ROOT, name, 'input.npy'), labels: join(ROOT, name, 'labels.npy') });
    const prepared = await prepareModelFile(join(ROOT, name, 'model.onnx'), { sampleShape: data.sampleShape });
    const result = await scoreModel(prepared, CRITERIA.map((c) => criterionInstance(c.id)), {
      data, calibration: 4, gradientBatch: 2, hutchinsonSamples: 2, integrationSteps: 2, threads: 1,
    });
    const layers = prepared.layers.map((l) => l.name);
    expect(result.layers).toEqual(layers);
    for (const c of result.criteria) {
      const bad = layers.filter((l) => typeof c.scores[l] !== 'number');
      expect(bad, `${c.name}: layers without a finite score`).toEqual([]);
    }
  });
});
