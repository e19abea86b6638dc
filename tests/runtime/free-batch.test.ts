/** Models exported with a fixed batch size: lifted when the graph allows it, run at that size when not. */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openEvalData } from '../../src/data/index.js';
import { loadModel, saveModel } from '../../src/onnx/model.js';
import type { Model } from '../../src/onnx/ir.js';
import { parsePerturbationList } from '../../src/perturb/index.js';
import { evaluateModel } from '../../src/runtime/evaluate.js';
import { freeBatchAxis } from '../../src/model/free-batch.js';
import { inspectModel } from '../../src/model/inspect.js';
import { prepareModelFile } from '../../src/model/prepare.js';
import type { SweepRow } from '../../src/rows/row.js';
import { runSweep } from '../../src/sweep/run.js';
import { makeTmp, writeNpy } from '../data/helpers.js';
import { BUNDLED } from '../helpers/cli.js';
import { bakedMlp, floatInit, floatValue, int, makeModel, node, prepareTest, tinyMlp, withBatch } from '../helpers/models.js';

const tmp = makeTmp();
afterAll(() => tmp.cleanup());

describe('freeBatchAxis', () => {
  it('lifts a fixed batch size the graph does not depend on, and evaluation is unchanged', async () => {
    const bundled = loadModel(BUNDLED.model);
    const r = await freeBatchAxis(withBatch(bundled, 1), [1, 28, 28], 'fixed');
    expect(r.freed).toBe(true);
    expect(r.declared).toBe(1);
    expect(r.model.graph.inputs[0]?.shape?.[0]).toBe('N');
    const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: 300 });
    const freed = await evaluateModel(await prepareTest(r.model, [1, 28, 28]), data, { batchSize: 128 });
    const original = await evaluateModel(await prepareTest(bundled, [1, 28, 28]), data, { batchSize: 128 });
    expect(freed.correct).toBe(original.correct);
    expect(freed.loss).toBeCloseTo(original.loss, 5);
  });

  it('keeps a graph that bakes the batch size in, with the reason', async () => {
    const r = await freeBatchAxis(bakedMlp(1), [4], 'baked');
    expect(r.freed).toBe(false);
    expect(r.declared).toBe(1);
    expect(r.reason).toMatch(/cannot run at another batch size/);
    expect(r.model.graph.inputs[0]?.shape?.[0]).toBe(1);
  });

  it('inspect reports per-sample FLOPs of a graph that only runs at its own batch size (probed at B, divided by B)', async () => {
    const path = tmp.path('baked4-inspect.onnx');
    saveModel(bakedMlp(4), path);
    const baked = await inspectModel(path);
    const dynamic = tmp.path('tiny-inspect.onnx');
    saveModel(tinyMlp(), dynamic);
    const reference = await inspectModel(dynamic, { sampleShape: [4] });
    // Gemm [3,4]: 2·3·4 = 24 per sample; MatMul with the transposed [2,3]: 2·2·3 = 12.
    expect(reference.layers.map((l) => l.flops)).toEqual([24, 12]);
    expect(baked.layers.map((l) => l.flops)).toEqual([24, 12]);
    expect(baked.flops).toBe(36);
  });

  it('keeps a graph whose output does not follow the batch (a mean over the batch axis)', async () => {
    const model = makeModel({
      nodes: [node('Gemm', ['x', 'W'], ['h'], { transB: int(1) }), node('ReduceMean', ['h'], ['logits'], { axes: { type: 'ints', value: [0] }, keepdims: int(1) })],
      initializers: [floatInit('W', [2, 4])],
      inputs: [floatValue('x', [2, 4])],
      outputs: [floatValue('logits', [1, 2])],
    });
    const r = await freeBatchAxis(model, [4], 'mean');
    expect(r.freed).toBe(false);
    expect(r.declared).toBe(2);
  });

  it('leaves a model with a symbolic batch axis alone', async () => {
    const model = tinyMlp();
    const r = await freeBatchAxis(model, [4], 'dynamic');
    expect(r).toEqual({ model, freed: false });
  });
});

describe('sweep of a model with a fixed batch size', () => {
  const samples = 37;
  const images = writeNpy(tmp.path('x.npy'), '<f4', [samples, 4], Array.from({ length: samples * 4 }, (_, i) => Math.cos(i * 0.7)));
  const labels = writeNpy(tmp.path('y.npy'), '<i8', [samples], Array.from({ length: samples }, (_, i) => (i * 7) % 2));
  const rowsOf = async (model: Model, name: string): Promise<SweepRow[]> => {
    const modelPath = tmp.path(`${name}.onnx`);
    saveModel(model, modelPath);
    const out = tmp.path(`${name}.jsonl`);
    const data = await openEvalData({ data: images, labels });
    const prepared = await prepareModelFile(modelPath, { sampleShape: data.sampleShape });
    await runSweep({ prepared, data, perturbations: parsePerturbationList('prune:0.5,noise:0.5'), seeds: 2, out, version: 'test' });
    return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SweepRow);
  };

  it.each([
    ['a graph that depends on batch 1 (run one sample at a time)', bakedMlp(1)],
    ['a graph that depends on batch 4 (37 samples: the last batch padded)', bakedMlp(4)],
    ['a graph that does not (lifted)', withBatch(tinyMlp(), 1)],
  ])('gives the rows of the same model with a dynamic batch: %s', async (_, fixed) => {
    const want = await rowsOf(tinyMlp(), `dynamic-${Math.random().toString(36).slice(2)}`);
    const got = await rowsOf(fixed, `fixed-${Math.random().toString(36).slice(2)}`);
    expect(got.map((r) => [r.layer, r.perturbation, r.seed, r.correct, r.count])).toEqual(want.map((r) => [r.layer, r.perturbation, r.seed, r.correct, r.count]));
    got.forEach((r, i) => expect(r.loss).toBeCloseTo(want[i]?.loss as number, 5));
  });
});
