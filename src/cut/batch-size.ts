/** The default number of images per onnxruntime run of the graph-cut engine. */
import type { Model } from '../onnx/ir.js';
import type { ShapeTable } from '../model/shape-table.js';

/** Images per run when nothing bounds it: faster than 500 on every model timed (docs/benchmarks.md). */
export const DEFAULT_BATCH = 250;

/** Bound on the largest activation of one batch: large inputs (224×224 images, say) get smaller batches. */
export const LARGEST_ACTIVATION_BYTES = 64 * 1024 ** 2;

/** DEFAULT_BATCH, or fewer images so that the largest value computed for a batch stays under LARGEST_ACTIVATION_BYTES. */
export function defaultBatchSize(model: Model, shapes: ShapeTable): number {
  let largest = 0;
  for (const node of model.graph.nodes) for (const out of node.outputs) if (out !== '') largest = Math.max(largest, shapes.sampleBytes(out));
  return Math.max(1, Math.min(DEFAULT_BATCH, Math.floor(LARGEST_ACTIVATION_BYTES / Math.max(1, largest))));
}
