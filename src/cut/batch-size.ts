/** The sweep's default number of images per onnxruntime run. */
import { bytesPerElement, isDataType, sizeOf } from '../onnx/dtypes.js';
import type { ShapeMap } from './groups.js';

/** Images per run when nothing bounds it: faster than 500 on every model timed (docs/performance.md). */
export const DEFAULT_BATCH = 250;

/** Bound on the largest activation of one batch: large inputs (224×224 images, say) get smaller batches. */
export const LARGEST_ACTIVATION_BYTES = 64 * 1024 ** 2;

/** DEFAULT_BATCH, or fewer images so that the largest value of a batch stays under LARGEST_ACTIVATION_BYTES. */
export function defaultBatchSize(shapesAtBatch1: ShapeMap): number {
  let largest = 0;
  for (const shape of shapesAtBatch1.values()) {
    if (isDataType(shape.type)) largest = Math.max(largest, sizeOf(shape.dims) * bytesPerElement(shape.type));
  }
  return Math.max(1, Math.min(DEFAULT_BATCH, Math.floor(LARGEST_ACTIVATION_BYTES / Math.max(1, largest))));
}
