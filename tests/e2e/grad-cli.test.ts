/** `safer grad` end to end (built dist/), on the bundled model and subset. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverLayers } from '../../src/layers/discover.js';
import type { ValueInfo } from '../../src/onnx/ir.js';
import { loadModel, saveModel } from '../../src/onnx/model.js';
import { BUNDLED, jsonOf, safer } from '../helpers/cli.js';

interface GradJson { loss: number; count: number; gradients: { name: string; shape: number[]; norm: number }[] }
interface EvalJson { loss: number; count: number }

describe('safer grad', () => {
  it('gives the loss of safer eval and a gradient for every weight and bias (bundled default, 256 images)', () => {
    const g = jsonOf<GradJson>(safer(['grad', '--json']));
    const e = jsonOf<EvalJson>(safer(['eval', '--limit', '256', '--json']));
    expect(g.count).toBe(256);
    expect(Math.abs(g.loss - e.loss) / e.loss).toBeLessThan(1e-5);
    const layers = discoverLayers(loadModel(BUNDLED.model));
    expect(g.gradients.map((x) => x.name)).toEqual(layers.flatMap((l) => (l.bias ? [l.name, l.bias] : [l.name])));
    for (const x of g.gradients) expect(x.norm, x.name).toBeGreaterThan(0);
  });

  it('uses the first N images with --limit', () => {
    const args = [BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '7', '--json'];
    const g = jsonOf<GradJson>(safer(['grad', ...args]));
    const e = jsonOf<EvalJson>(safer(['eval', ...args]));
    expect(g.count).toBe(7);
    expect(Math.abs(g.loss - e.loss) / e.loss).toBeLessThan(1e-5);
  });

  it('prints a table without --json', () => {
    const r = safer(['grad', '--limit', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/loss\s+\d+\.\d+ \(mean cross-entropy\)/);
    expect(r.stdout).toMatch(/conv1\.weight\s+\[16,1,3,3\]/);
  });

  it('rejects a bad --limit in one line', () => {
    const r = safer(['grad', '--limit', '0']);
    expect(r.code).toBe(2); // a usage error
    expect(r.stderr.trim()).toMatch(/^error: --limit must be a positive integer/);
  });
});

describe('safer grad on a model exported with a fixed batch size', () => {
  it('runs batches of that size and gives the mean loss and gradients of one big batch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'safer-grad-fixed-'));
    try {
      const model = loadModel(BUNDLED.model);
      const batchOfOne = (v: ValueInfo): ValueInfo => ({ ...v, shape: v.shape ? [1, ...v.shape.slice(1)] : v.shape });
      const path = join(dir, 'fixed.onnx');
      saveModel({ ...model, graph: { ...model.graph, inputs: model.graph.inputs.map(batchOfOne), outputs: model.graph.outputs.map(batchOfOne) } }, path);
      const data = ['--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '6', '--json'];
      const g = jsonOf<GradJson>(safer(['grad', path, ...data]));
      const reference = jsonOf<GradJson>(safer(['grad', BUNDLED.model, ...data]));
      expect(g.count).toBe(6);
      expect(Math.abs(g.loss - reference.loss) / reference.loss).toBeLessThan(1e-5);
      g.gradients.forEach((x, i) => expect(Math.abs(x.norm - (reference.gradients[i]?.norm ?? NaN)) / x.norm, x.name).toBeLessThan(1e-4));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
