/**
 * Whole models against PyTorch autograd in float64 (tests/fixtures/torch-models,
 * made by tools/make-torch-grad-fixtures.py): loss within 1e-5 relative, every
 * gradient tensor within 1e-4 relative L2 error. One model is also run one
 * sample at a time, to check that the graph is right at batch sizes 1 and 3
 * as well as at the fixtures' 4.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GradientRunner } from '../../src/autodiff/index.js';
import { openEvalData } from '../../src/data/index.js';
import { prepareModelFile } from '../../src/model/prepare.js';

const ROOT = 'tests/fixtures/torch-models';

interface Reference {
  loss: number;
  gradients: { name: string; shape: number[]; offset: number; length: number }[];
}

const models = existsSync(ROOT) ? readdirSync(ROOT).filter((d) => statSync(join(ROOT, d)).isDirectory()).sort() : [];

async function loadFixture(name: string): Promise<{ images: Float32Array; labels: Int32Array; sampleShape: readonly number[]; reference: Reference; expected: Float32Array }> {
  const dir = join(ROOT, name);
  const data = await openEvalData({ data: join(dir, 'input.npy'), labels: join(dir, 'labels.npy') });
  let batch: { images: Float32Array; labels: Int32Array } | undefined;
  for await (const b of data.batches(data.count)) batch = b;
  if (!batch) throw new Error(`${dir}: no samples`);
  const reference = JSON.parse(readFileSync(join(dir, 'grads.json'), 'utf8')) as Reference;
  const bin = readFileSync(join(dir, 'grads.bin'));
  const expected = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  return { images: batch.images, labels: batch.labels, sampleShape: data.sampleShape, reference, expected };
}

function relativeL2(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += ((actual[i] as number) - (expected[i] as number)) ** 2;
    norm += (expected[i] as number) ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
}

describe('whole models against PyTorch float64 autograd', () => {
  it('has fixtures', () => {
    expect(models.length, `no model folders under ${ROOT}`).toBeGreaterThan(0);
  });

  it.each(models)('%s', async (name) => {
    const { images, labels, sampleShape, reference, expected } = await loadFixture(name);
    const prepared = await prepareModelFile(join(ROOT, name, 'model.onnx'), { sampleShape });
    const wrt = reference.gradients.map((g) => g.name);
    const runner = await GradientRunner.create(prepared, { wrt, threads: 1, verify: true });
    try {
      const result = await runner.run(images, labels);
      expect(Math.abs(result.loss - reference.loss) / Math.abs(reference.loss), `${name}: loss ${result.loss} vs ${reference.loss}`).toBeLessThan(1e-5);
      const failures: string[] = [];
      let worst = 0;
      for (const g of reference.gradients) {
        const actual = result.gradients.get(g.name);
        if (!actual || actual.length !== g.length) {
          failures.push(`${g.name}: ${actual ? `${actual.length} values, expected ${g.length}` : 'missing'}`);
          continue;
        }
        const error = relativeL2(actual, expected.subarray(g.offset, g.offset + g.length));
        worst = Math.max(worst, error);
        if (!(error < 1e-4)) failures.push(`${g.name} [${g.shape.join(', ')}]: relative L2 error ${error.toExponential(2)}`);
      }
      if (process.env['GRADCHECK_VERBOSE']) console.log(`${name}: loss ${result.loss} (torch ${reference.loss}), worst relative L2 error ${worst.toExponential(2)} over ${reference.gradients.length} tensors`);
      expect(failures, `${name}: ${failures.length} of ${reference.gradients.length} gradients off (worst ${worst.toExponential(2)})`).toEqual([]);
    } finally {
      await runner.release();
    }
  });

  it('gives the same gradients at batch sizes 1, 3 and 4 (resnet-basic)', async () => {
    const name = models.includes('resnet-basic') ? 'resnet-basic' : models[0];
    if (name === undefined) return;
    const { images, labels, sampleShape, reference } = await loadFixture(name);
    const prepared = await prepareModelFile(join(ROOT, name, 'model.onnx'), { sampleShape });
    const wrt = reference.gradients.map((g) => g.name);
    const runner = await GradientRunner.create(prepared, { wrt, threads: 1 });
    try {
      const size = sampleShape.reduce((p, d) => p * d, 1);
      const whole = await runner.run(images, labels);
      const first = await runner.run(images.subarray(0, size), labels.subarray(0, 1));
      const rest = await runner.run(images.subarray(size), labels.subarray(1));
      expect(Math.abs((first.loss + 3 * rest.loss) / 4 - whole.loss)).toBeLessThan(1e-5 * Math.abs(whole.loss));
      for (const w of wrt) {
        const g1 = first.gradients.get(w) as Float32Array;
        const g3 = rest.gradients.get(w) as Float32Array;
        const combined = Float32Array.from(g1, (v, i) => (v + 3 * (g3[i] as number)) / 4);
        expect(relativeL2(combined, whole.gradients.get(w) as Float32Array), w).toBeLessThan(1e-4);
      }
    } finally {
      await runner.release();
    }
  });
});
