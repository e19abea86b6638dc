/** Sweep rows for tests: every field of the format, with plain defaults. */
import type { SweepRow } from '../../src/rows/row.js';

export function sweepRow(fields: Partial<SweepRow> & Pick<SweepRow, 'layer' | 'perturbation'>): SweepRow {
  const accuracy = fields.accuracy ?? 0.8;
  const baseAccuracy = fields.base_accuracy ?? 0.9;
  const count = fields.count ?? 100;
  return {
    layer_index: 0, seed: 0, loss: null, kl: null, unchanged: 1, correct: Math.round(accuracy * count), base_loss: NaN,
    drop: baseAccuracy - accuracy, model: 'm.onnx', model_sha256: 'a'.repeat(64), data_sha256: 'd'.repeat(64), version: 'test', seconds: 0,
    ...fields, accuracy, base_accuracy: baseAccuracy, count,
  };
}
