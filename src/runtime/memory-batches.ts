/** Labeled samples held in memory: loaded from a data set, and served in batches (views, not copies). */
import type { LabeledBatches } from './evaluate.js';

/** Some labeled samples in memory (the calibration images of the criteria and the budgets, say). */
export interface SampleBatch {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  sampleShape: readonly number[];
}

/** Up to `size` samples of `data` from sample `start` on (the first ones by default); fewer where the data end. */
export async function loadSamples(data: LabeledBatches, size: number, start = 0): Promise<SampleBatch> {
  const count = Math.max(0, Math.min(size, data.count - start));
  const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
  const images = new Float32Array(count * sampleSize);
  const labels = new Int32Array(count);
  if (count === 0) return { images, labels, count, sampleShape: data.sampleShape };
  for await (const batch of data.batches(count, { start, end: start + count })) {
    images.set(batch.images.subarray(0, batch.count * sampleSize), (batch.start - start) * sampleSize);
    labels.set(batch.labels.subarray(0, batch.count), batch.start - start);
  }
  return { images, labels, count, sampleShape: data.sampleShape };
}

/** Samples in memory as batches. */
export function memoryBatches(images: Float32Array, labels: Int32Array, sampleShape: readonly number[], description: string): LabeledBatches {
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const count = labels.length;
  return {
    count,
    sampleShape,
    description,
    async *batches(batchSize, range = {}) {
      const end = range.end ?? count;
      for (let start = range.start ?? 0; start < end; start += batchSize) {
        const stop = Math.min(end, start + batchSize);
        yield { start, count: stop - start, images: images.subarray(start * sampleSize, stop * sampleSize), labels: labels.subarray(start, stop) };
      }
    },
  };
}
