/**
 * The upstream values ("frontier") that the downstream parts of several layers read, computed batch
 * by batch by one prefix run that serves a whole group of layers, and cached.
 */
import { ancestorNodes, topologicalOrder } from '../onnx/graph.js';
import type { Model, ValueInfo } from '../onnx/ir.js';
import type { LabeledBatches } from '../runtime/evaluate.js';
import { imageTensor } from '../runtime/image-tensor.js';
import { OrtRunner, type OrtTensor, type SessionOptions } from '../runtime/session.js';

export interface FrontierBatch {
  readonly start: number;
  /** Images in the batch. */
  readonly count: number;
  readonly labels: Int32Array;
  /** Frontier values by name (the image input included), for this batch; `rows` ≥ count rows each. */
  readonly values: ReadonlyMap<string, OrtTensor>;
}

/** The part of the model that computes `values` from the input, with them as outputs. */
export function prefixModel(model: Model, values: readonly string[]): Model {
  const needed = ancestorNodes(model.graph, values);
  const nodes = topologicalOrder(model.graph).filter((n) => needed.has(n));
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = new Map([...model.graph.initializers].filter(([name]) => used.has(name)));
  const outputs: ValueInfo[] = values.map((name) => ({ name, elemType: 0, shape: undefined }));
  return { ...model, graph: { ...model.graph, name: `${model.graph.name}-prefix`, nodes, initializers, outputs } };
}

/** Runs the prefix over samples [start, end) and keeps the requested values of every batch. */
export async function computeFrontier(
  model: Model,
  input: string,
  values: readonly string[],
  data: LabeledBatches,
  range: { start: number; end: number },
  batchSize: number,
  fixedBatch: number | undefined,
  session: SessionOptions,
): Promise<FrontierBatch[]> {
  const computed = values.filter((v) => v !== input);
  const runner = computed.length > 0 ? await OrtRunner.create(prefixModel(model, computed), 'frontier', session) : undefined;
  const batches: FrontierBatch[] = [];
  try {
    for await (const batch of data.batches(batchSize, range)) {
      const image = imageTensor(batch.images, batch.count, data.sampleShape, fixedBatch);
      const map = new Map<string, OrtTensor>();
      if (values.includes(input)) map.set(input, image);
      if (runner) {
        const out = await runner.run({ [input]: image }, computed);
        for (const name of computed) map.set(name, out[name] as OrtTensor);
      }
      batches.push({ start: batch.start, count: batch.count, labels: batch.labels, values: map });
    }
  } finally {
    await runner?.release();
  }
  return batches;
}
