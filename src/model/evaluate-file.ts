/** The `eval` job: accuracy and loss of a model file on a data set. */
import { evaluateModel, type LabeledBatches } from '../runtime/evaluate.js';
import { finiteOrNull } from '../runtime/metrics.js';
import { prepareModelFile } from './prepare.js';

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
  const prepared = await prepareModelFile(path, { sampleShape: data.sampleShape, samples: data.description, requireLayers: false });
  const r = await evaluateModel(prepared, data, options);
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
