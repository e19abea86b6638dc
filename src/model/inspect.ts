/** The `inspect` job: a model's weight layers with their sizes and costs. */
import { discoverLayers } from '../layers/discover.js';
import type { Layer } from '../layers/layer.js';
import { isFloatType } from '../onnx/dtypes.js';
import { GraphIndex } from '../onnx/graph.js';
import { defaultOpset, type Model } from '../onnx/ir.js';
import { loadModelFile } from '../onnx/model.js';
import { classifierIO, formatShape } from '../runtime/classifier.js';
import { prepareModel, staticSampleShape } from './prepare.js';

export interface InspectReport {
  model: string;
  opset: number;
  input: string;
  layers: readonly Layer[];
  params: number;
  /** FLOPs per sample over all layers; null when the sample shape is unknown. */
  flops: number | null;
  /**
   * Parameters (float initializers) that are neither a layer's weight nor its bias, so that nothing
   * safer assesses touches them: their total and, by the op that reads them, e.g. {"BatchNormalization": 256}.
   */
  otherParams: { total: number; byOp: Record<string, number> };
}

/**
 * Lists a model's weight layers as stored (bias names as in the file). With a known sample shape
 * (declared by the input, or given), the model is prepared and FLOPs per sample come from its shape
 * probe (at the graph's own batch size B, divided by B, for a graph that only runs at B).
 */
export async function inspectModel(path: string, options: { sampleShape?: readonly number[] } = {}): Promise<InspectReport> {
  const { model, sha256 } = loadModelFile(path);
  const io = classifierIO(model, path);
  const sampleShape = options.sampleShape ?? staticSampleShape(io);
  const stored = discoverLayers(model, undefined, path);
  let layers: readonly Layer[] = stored;
  if (sampleShape) {
    const prepared = await prepareModel(model, path, { sampleShape, sha256 });
    // The prepared layers may read their own copy of a bias the file shares between layers: show the file's name.
    const storedBias = new Map(stored.map((l) => [l.name, l.bias]));
    layers = prepared.layers.map((l) => ({ ...l, bias: storedBias.get(l.name) ?? l.bias }));
  }
  const flops = layers.every((l) => l.flops !== null) ? layers.reduce((a, l) => a + (l.flops ?? 0), 0) : null;
  return {
    model: path,
    opset: defaultOpset(model),
    input: `${io.input.name} ${io.input.shape ? formatShape(io.input.shape) : '[?]'}`,
    layers,
    params: layers.reduce((a, l) => a + l.params, 0),
    flops,
    otherParams: parametersOutside(model, stored),
  };
}

/** Float initializers that no layer owns, counted by the op that reads them (through Identity/Transpose). */
function parametersOutside(model: Model, layers: readonly Layer[]): { total: number; byOp: Record<string, number> } {
  const owned = new Set(layers.flatMap((l) => (l.bias ? [l.name, l.bias] : [l.name])));
  const index = new GraphIndex(model.graph);
  const readerOp = (value: string, depth = 0): string => {
    const reader = index.consumers(value)[0];
    if (!reader) return 'unused';
    if ((reader.opType === 'Identity' || reader.opType === 'Transpose') && depth < 8) return readerOp(reader.outputs[0] ?? '', depth + 1);
    return reader.opType;
  };
  const byOp: Record<string, number> = {};
  let total = 0;
  for (const init of model.graph.initializers.values()) {
    if (owned.has(init.name) || !isFloatType(init.dataType)) continue;
    const n = init.dims.reduce((a, b) => a * b, 1);
    if (n === 0) continue;
    const op = readerOp(init.name);
    byOp[op] = (byOp[op] ?? 0) + n;
    total += n;
  }
  return { total, byOp };
}
