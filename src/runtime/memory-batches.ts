/** Labeled samples held in memory, served in batches (views, not copies). */
import type { LabeledBatches } from './evaluate.js';

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
