/** The calibration batch: the first images of the evaluation set, held in memory for every data-driven criterion. */
import type { LabeledBatches } from '../runtime/evaluate.js';

export interface CalibrationBatch {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  sampleShape: readonly number[];
}

/** The first min(size, data.count) images of `data`. */
export async function loadCalibration(data: LabeledBatches, size: number): Promise<CalibrationBatch> {
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
