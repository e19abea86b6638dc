import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveCriteria } from '../../src/criteria/index.js';
import { scoreModel } from '../../src/criteria/score.js';
import { openEvalData } from '../../src/data/index.js';
import { discoverLayers } from '../../src/layers/discover.js';
import { withOwnBiases } from '../../src/layers/own-biases.js';
import { withInitializerValues } from '../../src/onnx/edit.js';
import { serializeModel } from '../../src/onnx/model.js';
import type { Model } from '../../src/onnx/ir.js';
import { applyPerturbation, createRng, parsePerturbationList } from '../../src/perturb/index.js';
import { evaluateModel } from '../../src/runtime/evaluate.js';
import { makeTensor, OrtRunner } from '../../src/runtime/session.js';
import { rngSeedFor } from '../../src/sweep/plan.js';
import { prepareModelFile } from '../../src/model/prepare.js';
import type { SweepRow } from '../../src/rows/row.js';
import { runSweep } from '../../src/sweep/run.js';
import { makeTmp, writeNpy } from '../data/helpers.js';
import { floatInit, floatValue, makeModel, node, prepareTest } from '../helpers/models.js';

const tmp = makeTmp();
const BIAS = [0.3, -0.2, 0.5];

/**
 * x[N,1,4,4] → Conv c1 (W1, bias) → Relu → Conv c2 (W2, bias) → Relu → Flatten → MatMul (M) + bias → logits[N,3].
 * `shared`: one bias tensor B read by all three layers, by c2 through an Identity (as PyTorch's exporter
 * merges identical initializers); otherwise three tensors with the same values.
 */
function threeLayers(shared: boolean): Model {
  const [b1, b2, b3] = shared ? ['B', 'B_id', 'B'] : ['B1', 'B2', 'B3'];
  return makeModel({
    nodes: [
      ...(shared ? [node('Identity', ['B'], ['B_id'])] : []),
      node('Conv', ['x', 'W1', b1 as string], ['h1'], {}, 'c1'),
      node('Relu', ['h1'], ['r1']),
      node('Conv', ['r1', 'W2', b2 as string], ['h2'], {}, 'c2'),
      node('Relu', ['h2'], ['r2']),
      node('Flatten', ['r2'], ['f']),
      node('MatMul', ['f', 'M'], ['m'], {}, 'fc'),
      node('Add', ['m', b3 as string], ['logits']),
    ],
    initializers: [
      floatInit('W1', [3, 1, 1, 1], [1.0, -0.4, 0.7]),
      floatInit('W2', [3, 3, 1, 1]),
      floatInit('M', [48, 3]),
      ...(shared ? [floatInit('B', [3], BIAS)] : ['B1', 'B2', 'B3'].map((name) => floatInit(name, [3], BIAS))),
    ],
    inputs: [floatValue('x', ['N', 1, 4, 4])],
    outputs: [floatValue('logits', ['N', 3])],
  });
}

const images = Float32Array.from({ length: 60 * 16 }, (_, i) => Math.sin(i * 0.37) * 2);
const labels = Array.from({ length: 60 }, (_, i) => (i * 7) % 3);

async function logitsOf(model: Model): Promise<Float32Array> {
  const runner = await OrtRunner.create(model, 'test');
  try {
    const out = await runner.run({ x: makeTensor('float32', images, [60, 1, 4, 4]) }, ['logits']);
    return out.logits?.data as Float32Array;
  } finally {
    await runner.release();
  }
}

describe('withOwnBiases', () => {
  it('gives each layer reading a shared bias its own copy, computing exactly what the shared one did', async () => {
    const model = threeLayers(true);
    expect(discoverLayers(model).map((l) => l.bias)).toEqual(['B', 'B', 'B']);
    const own = withOwnBiases(model);
    expect(discoverLayers(own).map((l) => l.bias)).toEqual(['B', 'B:W2', 'B:M']);
    expect([...(own.graph.initializers.get('B:M')?.data ?? [])]).toEqual([...Float32Array.from(BIAS)]);
    expect([...(await logitsOf(own))]).toEqual([...(await logitsOf(model))]);
  });

  it('returns a model without shared biases as it is', () => {
    const model = threeLayers(false);
    expect(withOwnBiases(model)).toBe(model);
  });

  it('makes the sweep perturb only the layer’s own bias (prunec zeroes bias entries)', async () => {
    const dir = tmp.path('own-biases');
    const modelPath = `${dir}.onnx`;
    writeFileSync(modelPath, serializeModel(threeLayers(true)));
    const data = await openEvalData({ data: writeNpy(`${dir}-x.npy`, '<f4', [60, 1, 4, 4], images), labels: writeNpy(`${dir}-y.npy`, '<i8', [60], labels) });
    const out = `${dir}.jsonl`;
    const perturbations = parsePerturbationList('prunec:0.34');
    await runSweep({ prepared: await prepareModelFile(modelPath, { sampleShape: data.sampleShape }), data, perturbations, seeds: 1, out, version: 'test' });
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SweepRow);
    expect(rows.map((r) => r.layer)).toEqual(['W1', 'W2', 'M']);

    // Reference: the model with three separate bias tensors, only the perturbed layer's weight and bias changed.
    const separate = threeLayers(false);
    const ownBias: Record<string, string> = { W1: 'B1', W2: 'B2', M: 'B3' };
    for (const row of rows) {
      const layer = discoverLayers(separate).find((l) => l.name === row.layer);
      if (!layer) throw new Error(row.layer);
      const weight = separate.graph.initializers.get(layer.name)?.data as Float32Array;
      const bias = separate.graph.initializers.get(ownBias[row.layer] as string)?.data as Float32Array;
      const r = applyPerturbation({ weight, shape: layer.shape, channelAxis: layer.channelAxis, bias }, perturbations[0]!.perturbation, createRng(rngSeedFor(layer.name, 'prunec:0.34', 0)));
      expect(r.bias, 'prunec changes the bias').not.toEqual(bias);
      const perturbed = withInitializerValues(separate, new Map([[layer.name, r.weight], [ownBias[row.layer] as string, r.bias as Float32Array]]));
      const direct = await evaluateModel(await prepareTest(perturbed, data.sampleShape), data, { batchSize: 60 });
      expect(row.correct, row.layer).toBe(direct.correct);
      expect(row.loss, row.layer).toBeCloseTo(direct.loss, 5);
    }
  });
});

describe('criteria on a model with a shared bias', () => {
  it('score as on the same model with separate biases (perturbations and gradients of one layer’s bias)', async () => {
    const dir = tmp.path('own-biases-criteria');
    const data = await openEvalData({ data: writeNpy(`${dir}-x.npy`, '<f4', [60, 1, 4, 4], images), labels: writeNpy(`${dir}-y.npy`, '<i8', [60], labels) });
    const instances = resolveCriteria(['output-kl@prunec:0.34', 'grad-norm', 'fisher', 'integrated-gradients-perturbation@prunec:0.34']);
    const shared = await scoreModel(await prepareTest(threeLayers(true), data.sampleShape), instances, { data, calibration: 60 });
    const separate = await scoreModel(await prepareTest(threeLayers(false), data.sampleShape), instances, { data, calibration: 60 });
    for (const [i, c] of shared.criteria.entries()) {
      const other = separate.criteria[i];
      expect(c.error, c.name).toBeUndefined();
      for (const layer of ['W1', 'W2', 'M']) expect(c.scores[layer], `${c.name} ${layer}`).toBeCloseTo(other?.scores[layer] as number, 6);
    }
  });
});
