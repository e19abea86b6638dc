/**
 * Computes and caches, batch by batch, the upstream values ("frontier") that
 * the downstream parts of several layers read. One prefix run per batch serves
 * a whole group of layers.
 */
import { ancestorNodes, topologicalOrder } from '../onnx/graph.js';
import type { Model, ValueInfo } from '../onnx/ir.js';
import { makeTensor, OrtRunner, type OrtTensor, type SessionOptions } from '../runtime/session.js';
import type { LabeledBatches } from '../runtime/evaluate.js';

export interface FrontierBatch {
  readonly start: number;
  readonly count: number;
  readonly labels: Int32Array;
  /** Frontier values by name (the image input included), for this batch. */
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
  session: SessionOptions,
  onBatch?: (done: number) => void,
): Promise<FrontierBatch[]> {
  const computed = values.filter((v) => v !== input);
  const runner = computed.length > 0 ? await OrtRunner.create(prefixModel(model, computed), 'frontier', session) : undefined;
  const batches: FrontierBatch[] = [];
  try {
    for await (const batch of data.batches(batchSize, range)) {
      const image = makeTensor('float32', batch.images, [batch.count, ...data.sampleShape]);
      const map = new Map<string, OrtTensor>();
      if (values.includes(input)) map.set(input, image);
      if (runner) {
        const out = await runner.run({ [input]: image }, computed);
        for (const name of computed) map.set(name, out[name] as OrtTensor);
      }
      batches.push({ start: batch.start, count: batch.count, labels: batch.labels, values: map });
      onBatch?.(batch.count);
    }
  } finally {
    await runner?.release();
  }
  return batches;
}
