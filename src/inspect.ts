/** The `inspect` job: a model's weight layers with their sizes and costs. */
import { requireLayers } from './layers/discover.js';
import type { Layer } from './layers/layer.js';
import { loadModel } from './onnx/model.js';
import { defaultOpset } from './onnx/ir.js';
import { classifierIO, formatShape } from './runtime/classifier.js';
import { freeBatchAxis } from './runtime/free-batch.js';
import { probeShapes, staticSampleShape } from './runtime/probe.js';

export interface InspectReport {
  model: string;
  opset: number;
  input: string;
  layers: Layer[];
  params: number;
  /** FLOPs per sample over all layers; null when the input shape is unknown. */
  flops: number | null;
}

/** Loads a model and lists its weight layers (FLOPs from one probe run at batch size 1). */
export async function inspectModel(path: string, options: { sampleShape?: readonly number[] } = {}): Promise<InspectReport> {
  const file = loadModel(path);
  const io = classifierIO(file, path);
  const sampleShape = options.sampleShape ?? staticSampleShape(file);
  // FLOPs per sample need a probe at batch size 1, which a fixed batch size the graph does not depend on allows.
  const model = sampleShape ? (await freeBatchAxis(file, sampleShape, path)).model : file;
  // A graph that only runs at a fixed batch size other than 1 has no per-sample probe: its FLOPs stay unknown.
  const fixed = classifierIO(model, path).input.shape?.[0];
  const probeable = sampleShape !== undefined && (typeof fixed !== 'number' || fixed <= 0 || fixed === 1);
  const shapes = probeable ? await probeShapes(model, sampleShape, 1, path) : undefined;
  const layers = requireLayers(model, shapes, path);
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
