/**
 * The one way a model is made ready for safer, used by every entry point: load it, check its input
 * against the samples, lift a fixed batch size the graph does not depend on (free-batch.ts), give
 * every layer its own bias (layers/own-biases.ts), probe the shape of every value once
 * (shape-table.ts), and find the weight layers with their FLOPs. Everything downstream (sweep,
 * criteria, gradients, budgets, inspect, eval) takes the `PreparedModel` and derives nothing again.
 */
import { createHash } from 'node:crypto';
import { ModelError } from '../errors.js';
import { discoverLayers } from '../layers/discover.js';
import type { Layer } from '../layers/layer.js';
import { withOwnBiases } from '../layers/own-biases.js';
import type { Model } from '../onnx/ir.js';
import { loadModelFile, serializeModel } from '../onnx/model.js';
import { checkSampleShape, classifierIO, type ClassifierIO } from '../runtime/classifier.js';
import { freeBatchAxis } from './free-batch.js';
import { probeClassifier, type ShapeTable } from './shape-table.js';

export interface PreparedModel {
  /** Where the model came from (its path), for messages and result rows. */
  readonly source: string;
  /** The model as stored: what a written model (a budget plan's) is an edit of. */
  readonly stored: Model;
  /** What safer runs: the batch axis lifted where the graph allows it, and a bias of its own per layer. */
  readonly model: Model;
  readonly io: ClassifierIO;
  /** Shape of one sample, without the batch axis. */
  readonly sampleShape: readonly number[];
  /** The batch size the graph only runs at (it bakes it in), if any: batches are then padded to it. */
  readonly fixedBatch: number | undefined;
  readonly shapes: ShapeTable;
  /** The weight layers in topological order, with FLOPs per sample. */
  readonly layers: readonly Layer[];
  /** sha256 (hex) of the model file's bytes, or of the serialized model when it came from memory. */
  readonly sha256: string;
}

export interface PrepareOptions {
  /** Shape of one sample (the data's); default: the model input's, if every non-batch axis is fixed. */
  sampleShape?: readonly number[];
  /** What the samples are, for messages (e.g. the data set's description). */
  samples?: string;
  /** A model without weight layers is an error (default true; `eval` needs none). */
  requireLayers?: boolean;
  /** sha256 of the file the model was read from (default: of the serialized model). */
  sha256?: string;
}

/** Loads an ONNX file and prepares it. */
export async function prepareModelFile(path: string, options: PrepareOptions = {}): Promise<PreparedModel> {
  const { model, sha256 } = loadModelFile(path);
  return prepareModel(model, path, { ...options, sha256 });
}

/** Prepares a model held in memory; `source` names it in messages. */
export async function prepareModel(stored: Model, source: string, options: PrepareOptions = {}): Promise<PreparedModel> {
  const sha256 = options.sha256 ?? createHash('sha256').update(serializeModel(stored)).digest('hex');
  const declared = classifierIO(stored, source);
  const sampleShape = options.sampleShape ?? staticSampleShape(declared);
  if (!sampleShape) {
    throw new ModelError(`${source}: input "${declared.input.name}" has no fixed sample shape; give --data so safer knows the input size`);
  }
  checkSampleShape(declared.input, sampleShape, options.samples ?? 'the samples', source);
  const freed = (await freeBatchAxis(stored, sampleShape, source)).model;
  const model = withOwnBiases(freed, source);
  const io = classifierIO(model, source);
  const fixed = io.input.shape?.[0];
  const fixedBatch = typeof fixed === 'number' && fixed > 0 ? fixed : undefined;
  const shapes = await probeClassifier(model, io, sampleShape, fixedBatch, source);
  const layers = discoverLayers(model, (value) => (shapes.has(value) ? shapes.sampleSize(value) : undefined), source);
  if (layers.length === 0 && options.requireLayers !== false) {
    throw new ModelError(`${source}: no weight layers found (safer looks for Conv, ConvTranspose, Gemm, MatMul, Gather, LSTM, GRU and RNN nodes whose weight is an initializer)`);
  }
  return { source, stored, model, io, sampleShape, fixedBatch, shapes, layers, sha256 };
}

/** The sample shape the model input declares, if every non-batch axis is fixed. */
export function staticSampleShape(io: ClassifierIO): number[] | undefined {
  const shape = io.input.shape;
  if (!shape) return undefined;
  const rest = shape.slice(1);
  return rest.every((d): d is number => typeof d === 'number' && d > 0) ? rest : undefined;
}
