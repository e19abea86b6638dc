/**
 * A model ready to be differentiated: lifted to the gradient opset, with the measured shape of every
 * value. A classifier reuses the shape table of its prepared model (model/prepare.ts) when the opset
 * upgrade added no computed value; only a model from an old opset whose upgrade rewrote nodes is
 * probed again.
 */
import { ModelError } from '../errors.js';
import type { PreparedModel } from '../model/prepare.js';
import { probeClassifier, probeShapeTable, type FeedSet, type ShapeTable } from '../model/shape-table.js';
import type { Model } from '../onnx/ir.js';
import { upgradeOpset } from '../onnx/opset-upgrade.js';

/** A model at the gradient opset, with the measured shapes of all its values. */
export interface DifferentiableModel extends Model {
  readonly shapes: ShapeTable;
  /** Where the model came from, for messages. */
  readonly source: string;
}

/** Any model, lifted to the gradient opset and probed with the given feed sets. */
export async function differentiableModel(model: Model, feedSets: readonly FeedSet[], source = 'model'): Promise<DifferentiableModel> {
  const upgraded = upgradeOpset(model, undefined, source);
  const shapes = await probeShapeTable(upgraded, feedSets, source);
  return { ...upgraded, shapes, source };
}

/** A prepared classifier, lifted to the gradient opset. */
export async function differentiableClassifier(prepared: PreparedModel): Promise<DifferentiableModel> {
  const { source, io } = prepared;
  const upgraded = upgradeOpset(prepared.model, undefined, source);
  const shapes = prepared.shapes.covering(upgraded) ?? (await probeClassifier(upgraded, io, prepared.sampleShape, prepared.fixedBatch, source));
  const logits = shapes.get(io.logits);
  if (logits.dims.length !== 2) {
    throw new ModelError(`${source}: logits "${io.logits}" have shape [${logits.dims.join(', ')}]; gradients need [batch, classes]`);
  }
  return { ...upgraded, shapes, source };
}
