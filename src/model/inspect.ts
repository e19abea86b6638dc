/** The `inspect` job: a model's weight layers with their sizes and costs. */
import { requireLayers } from '../layers/discover.js';
import type { Layer } from '../layers/layer.js';
import { loadModel } from '../onnx/model.js';
import { defaultOpset } from '../onnx/ir.js';
import { classifierIO, formatShape } from '../runtime/classifier.js';
import { freeBatchAxis } from './free-batch.js';
import { probeShapes, staticSampleShape } from './probe.js';

export interface InspectReport {
  model: string;
  opset: number;
  input: string;
  layers: Layer[];
  params: number;
  /** FLOPs per sample over all layers; null when the input shape is unknown. */
  flops: number | null;
}

/** Loads a model and lists its weight layers (FLOPs per sample from one probe run). */
export async function inspectModel(path: string, options: { sampleShape?: readonly number[] } = {}): Promise<InspectReport> {
  const file = loadModel(path);
  const io = classifierIO(file, path);
  const sampleShape = options.sampleShape ?? staticSampleShape(file);
  // FLOPs per sample come from one probe run: at batch size 1, which a fixed batch size the graph does
  // not depend on allows, or else at the graph's own batch size B, the FLOPs then divided by B.
  const model = sampleShape ? (await freeBatchAxis(file, sampleShape, path)).model : file;
  const fixed = classifierIO(model, path).input.shape?.[0];
  const probeBatch = typeof fixed === 'number' && fixed > 1 ? fixed : 1;
  const shapes = sampleShape ? await probeShapes(model, sampleShape, probeBatch, path) : undefined;
  const layers = requireLayers(model, shapes, path).map((l) => (probeBatch === 1 || l.flops === null ? l : { ...l, flops: l.flops / probeBatch }));
  const flops = layers.every((l) => l.flops !== null) ? layers.reduce((a, l) => a + (l.flops ?? 0), 0) : null;
  return {
    model: path,
    opset: defaultOpset(model),
    input: `${io.input.name} ${io.input.shape ? formatShape(io.input.shape) : '[?]'}`,
    layers,
    params: layers.reduce((a, l) => a + l.params, 0),
    flops,
  };
}
