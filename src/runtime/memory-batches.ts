/** Labeled samples held in memory: loaded from a data set, and served in batches (views, not copies). */
import type { LabeledBatches } from './evaluate.js';

/** Some labeled samples in memory (the calibration images of the criteria and the budgets, say). */
export interface SampleBatch {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  sampleShape: readonly number[];
}

/** The first min(size, data.count) samples of `data`. */
export async function loadSamples(data: LabeledBatches, size: number): Promise<SampleBatch> {
  const count = Math.min(size, data.count);
  const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
  const images = new Float32Array(count * sampleSize);
  const labels = new Int32Array(count);
  for await (const batch of data.batches(count, { start: 0, end: count })) {
    images.set(batch.images.subarray(0, batch.count * sampleSize), batch.start * sampleSize);
    labels.set(batch.labels.subarray(0, batch.count), batch.start);
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
