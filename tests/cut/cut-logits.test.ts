/** Calibration logits with one layer perturbed, from the layer on only: equal to a full pass. */
import { describe, expect, it } from 'vitest';
import { CutLogits } from '../../src/cut/cut-logits.js';
import { WeightedForward } from '../../src/criteria/forward.js';
import { openEvalData } from '../../src/data/index.js';
import { prepareModelFile, type PreparedModel } from '../../src/model/prepare.js';
import { perturbedValues } from '../../src/layers/perturbed-values.js';
import { createRng, parsePerturbationList } from '../../src/perturb/index.js';
import { BUNDLED, ROOT } from '../helpers/cli.js';
import { bakedMlp, prepareTest } from '../helpers/models.js';

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

/** Every layer perturbed (prunec:0.5) alone: the cut's logits (twice for one owner, once for another) against a full pass. */
async function expectFullPassLogits(prepared: PreparedModel, batch: Awaited<ReturnType<typeof calibration>>): Promise<void> {
  const { model, layers } = prepared;
  const cut = CutLogits.create(prepared, batch, {});
  const full = await WeightedForward.create(prepared);
  try {
    const [spec] = parsePerturbationList('prunec:0.5');
    for (const layer of layers) {
      const { values } = perturbedValues(model, layer, spec!.perturbation, createRng(1));
      // The same criterion twice (cached frontier) and another one (recomputed): the same logits.
      const a = await cut.logits(layer, values, 'one');
      const b = await cut.logits(layer, values, 'one');
      const c = await cut.logits(layer, values, 'two');
      const reference = await full.logits(batch.images, batch.count, values);
      expect(a.length).toBe(reference.length);
      expect([...b]).toEqual([...a]);
      expect([...c]).toEqual([...a]);
      const scale = Math.max(...reference.map(Math.abs));
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (reference[i] as number)));
      expect(worst / scale, layer.name).toBeLessThan(1e-5);
    }
  } finally {
    await cut.release();
    await full.release();
  }
}

describe('CutLogits', () => {
  it.each([
    ['bundled CNN', BUNDLED.model],
    ['ResNet-style with residual Adds', `${ROOT}tests/fixtures/models/resnet-mini.onnx`],
  ])('gives the logits of a full pass with the layer perturbed, for every layer (%s)', async (_, path) => {
    const batch = await calibration(300); // more than one run of the default batch size (250)
    await expectFullPassLogits(await prepareModelFile(path, { sampleShape: batch.sampleShape }), batch);
  });

  it('runs a graph that only runs at its fixed batch size in padded batches (9 images in batches of 4)', async () => {
    const count = 9;
    const images = Float32Array.from({ length: count * 4 }, (_, i) => Math.sin(i));
    const batch = { images, labels: new Int32Array(count), count, sampleShape: [4] };
    const prepared = await prepareTest(bakedMlp(4), [4]);
    expect(prepared.fixedBatch).toBe(4);
    await expectFullPassLogits(prepared, batch);
  });
});
