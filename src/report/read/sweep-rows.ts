/**
 * sweep.jsonl: one JSON object per (layer, perturbation, seed), as `safer sweep` writes it
 * (src/sweep/run.ts SweepRow). Only the fields a report needs are read and checked. The paired
 * counts `right_to_wrong` and `wrong_to_right` are optional: rows of today's sweep lack them.
 */
import { ReportInputError } from '../errors.js';
import { JsonField } from './json-field.js';

export interface SweepRowInput {
  layer: string;
  layerIndex: number;
  perturbation: string;
  seed: number;
  accuracy: number;
  baseAccuracy: number;
  baseLoss: number | null;
  count: number;
  kl: number | null;
  unchanged: number | null;
  rightToWrong: number | null;
  wrongToRight: number | null;
  model: string | null;
  modelSha256: string | null;
  dataSha256: string | null;
  version: string | null;
  seconds: number | null;
}

export function parseSweepRows(file: string, text: string): SweepRowInput[] {
  const lines = text.split('\n');
  const rows: SweepRowInput[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let row: JsonField;
    try {
      row = JsonField.parse(`${file}:${i + 1}`, line);
    } catch (e) {
      // The half-written last line (no newline yet) of a sweep that is running or was killed is left out.
      if (i === lines.length - 1) return;
      throw e;
    }
    rows.push(parseRow(row));
  });
  const models = new Set(rows.map((r) => r.modelSha256));
  if (models.size > 1) {
    throw new ReportInputError(`${file}: holds rows of ${models.size} models (model_sha256 differs); a report covers one model`);
  }
  return rows;
}

function parseRow(row: JsonField): SweepRowInput {
  const optionalString = (key: string): string | null => row.get(key).optional((f) => f.string());
  return {
    layer: row.get('layer').string(),
    layerIndex: row.get('layer_index').integer(),
    perturbation: row.get('perturbation').string(),
    seed: row.get('seed').integer(),
    accuracy: row.get('accuracy').fraction(),
    baseAccuracy: row.get('base_accuracy').fraction(),
    baseLoss: row.get('base_loss').optional((f) => f.number()),
    count: positive(row.get('count')),
    kl: row.get('kl').optional((f) => f.number()),
    unchanged: row.get('unchanged').optional((f) => f.fraction()),
    rightToWrong: row.get('right_to_wrong').optional((f) => f.integer()),
    wrongToRight: row.get('wrong_to_right').optional((f) => f.integer()),
    model: optionalString('model'),
    modelSha256: optionalString('model_sha256'),
    dataSha256: optionalString('data_sha256'),
    version: optionalString('version'),
    seconds: row.get('seconds').optional((f) => f.number()),
  };
}

function positive(field: JsonField): number {
  const n = field.integer();
  if (n === 0) field.fail('a positive integer');
  return n;
}
