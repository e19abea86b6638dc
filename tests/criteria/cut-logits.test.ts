/** Calibration logits with one layer perturbed, from the layer on only: equal to a full pass. */
import { describe, expect, it } from 'vitest';
import { CutLogits } from '../../src/criteria/cut-logits.js';
import { WeightedForward } from '../../src/criteria/forward.js';
import { openEvalData } from '../../src/data/index.js';
import { requireLayers } from '../../src/layers/discover.js';
import { loadModel } from '../../src/onnx/model.js';
import type { Model, ValueInfo } from '../../src/onnx/ir.js';
import { applyPerturbation, createRng, parsePerturbationList } from '../../src/perturb/index.js';
import { BUNDLED, ROOT } from '../helpers/cli.js';

async function calibration(count: number) {
  const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: count });
  const images = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  for await (const b of data.batches(count)) {
    images.set(b.images);
    labels.set(b.labels);
  }
  return { images, labels, count, sampleShape: data.sampleShape };
}

const withBatch = (model: Model, batch: number): Model => {
  const fix = (v: ValueInfo): ValueInfo => ({ ...v, shape: v.shape ? [batch, ...v.shape.slice(1)] : v.shape });
  return { ...model, graph: { ...model.graph, inputs: model.graph.inputs.map(fix), outputs: model.graph.outputs.map(fix) } };
};

describe('CutLogits', () => {
  it.each([
    ['bundled CNN', BUNDLED.model],
    ['ResNet-style with residual Adds', `${ROOT}tests/fixtures/models/resnet-mini.onnx`],
  ])('gives the logits of a full pass with the layer perturbed, for every layer (%s)', async (_, path) => {
    const model = loadModel(path);
    const layers = requireLayers(model, undefined, path);
    const batch = await calibration(300); // more than one run of the default batch size (250)
    const cut = await CutLogits.create(model, layers, batch, path, {});
    const full = await WeightedForward.create(model, layers, path);
    expect(cut).toBeDefined();
    try {
      const [spec] = parsePerturbationList('prunec:0.5');
      for (const layer of layers) {
        const weight = model.graph.initializers.get(layer.name)?.data as Float32Array;
        const bias = layer.bias ? (model.graph.initializers.get(layer.bias)?.data as Float32Array) : undefined;
        const r = applyPerturbation({ weight, shape: layer.shape, channelAxis: layer.channelAxis, bias }, spec!.perturbation, createRng(1));
        const values = new Map([[layer.name, r.weight]]);
        if (r.bias && layer.bias) values.set(layer.bias, r.bias);
        // The same criterion twice (cached frontier) and another one (recomputed): the same logits.
        const a = await cut!.logits(layer, values, 'one');
        const b = await cut!.logits(layer, values, 'one');
        const c = await cut!.logits(layer, values, 'two');
        const reference = await full.logits(batch.images, batch.count, batch.sampleShape, values);
        expect(a.length).toBe(reference.length);
        expect([...b]).toEqual([...a]);
        expect([...c]).toEqual([...a]);
        const scale = Math.max(...reference.map(Math.abs));
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (reference[i] as number)));
        expect(worst / scale, layer.name).toBeLessThan(1e-5);
      }
    } finally {
      await cut?.release();
      await full.release();
    }
  });

  it('declines a model with a fixed batch size (the caller runs full passes instead)', async () => {
    const model = withBatch(loadModel(BUNDLED.model), 4);
    const batch = await calibration(8);
    expect(await CutLogits.create(model, requireLayers(model, undefined, 'fixed'), batch, 'fixed', {})).toBeUndefined();
  });
});
