/**
 * Getting a model ready to be differentiated: lift it to the gradient opset
 * and measure the shape of every value (at two batch sizes for a classifier,
 * so that batch-sized axes are known).
 */
import { ModelError } from '../errors.js';
import { sizeOf } from '../onnx/dtypes.js';
import type { Model } from '../onnx/ir.js';
import { classifierIO } from '../runtime/classifier.js';
import { probeShapeTable, type Feed, type ShapeTable } from '../model/shape-table.js';
import { upgradeOpset } from '../onnx/opset-upgrade.js';

/** A model at the gradient opset, with the measured shapes of all its values. */
export interface PreparedModel extends Model {
  readonly shapes: ShapeTable;
  /** Where the model came from, for messages. */
  readonly source: string;
}

/** Lifts `model` to the gradient opset and probes it with the given feed sets. */
export async function prepareModel(model: Model, feedSets: readonly Readonly<Record<string, Feed>>[], source = 'model'): Promise<PreparedModel> {
  const upgraded = upgradeOpset(model, undefined, source);
  const shapes = await probeShapeTable(upgraded, feedSets, source);
  return { ...upgraded, shapes, source };
}

/**
 * Prepares a classifier for samples of `sampleShape`: probes at batch sizes 2
 * and 3 (or at the model's fixed batch size), with deterministic pseudo-random images.
 */
export async function prepareClassifier(model: Model, sampleShape: readonly number[], source = 'model'): Promise<PreparedModel> {
  const io = classifierIO(model, source);
  const declared = io.input.shape?.[0];
  const batches = typeof declared === 'number' && declared > 0 ? [declared] : [2, 3];
  const feeds = batches.map((batch) => ({ [io.input.name]: randomImages([batch, ...sampleShape]) }));
  const prepared = await prepareModel(model, feeds, source);
  const logits = prepared.shapes.get(io.logits);
  if (logits.dims.length !== 2) {
    throw new ModelError(`${source}: logits "${io.logits}" have shape [${logits.dims.join(', ')}]; gradients need [batch, classes]`);
  }
  return prepared;
}

function randomImages(dims: readonly number[]): Feed {
  const data = new Float32Array(sizeOf(dims));
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[i] = state / 2 ** 32 - 0.5;
  }
  return { type: 'float32', data, dims };
}
