/** The `eval` job: accuracy and loss of a model file on a data set. */
import { loadModel } from '../onnx/model.js';
import { evaluateModel, type LabeledBatches } from '../runtime/evaluate.js';
import { freeBatchAxis } from './free-batch.js';
import { finiteOrNull } from '../runtime/metrics.js';

export interface EvalSummary {
  accuracy: number;
  loss: number | null;
  count: number;
  correct: number;
  classes: number;
  seconds: number;
  imagesPerSecond: number;
}

export async function evaluateFile(
  path: string,
  data: LabeledBatches,
  options: { batchSize?: number; threads?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<EvalSummary> {
  const { model } = await freeBatchAxis(loadModel(path), data.sampleShape, path);
  const r = await evaluateModel(model, data, { ...options, source: path });
  return {
    accuracy: r.accuracy,
    loss: finiteOrNull(r.loss),
    count: r.count,
    correct: r.correct,
    classes: r.classes,
    seconds: r.seconds,
    imagesPerSecond: r.imagesPerSecond,
  };
}
