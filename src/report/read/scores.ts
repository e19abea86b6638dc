/** scores.json: the score report of `safer score --json` (src/criteria/score.ts ScoreReport). */
import type { CriterionSummary } from '../report-data.js';
import { JsonField } from '../../json/json-field.js';
import { ReportInputError } from '../errors.js';

export interface ScoresInput {
  version: string | null;
  model: string | null;
  modelSha256: string | null;
  data: string | null;
  dataSha256: string | null;
  calibration: number | null;
  layers: string[];
  criteria: CriterionSummary[];
}

export function parseScores(file: string, text: string): ScoresInput {
  const root = JsonField.parse(file, text, ReportInputError);
  const optionalString = (key: string): string | null => root.get(key).optional((f) => f.string());
  return {
    version: optionalString('version'),
    model: optionalString('model'),
    modelSha256: optionalString('model_sha256'),
    data: optionalString('data'),
    dataSha256: optionalString('data_sha256'),
    calibration: root.get('calibration').optional((f) => f.integer()),
    layers: root.get('layers').array().map((f) => f.string()),
    criteria: root.get('criteria').array().map(parseCriterion),
  };
}

function parseCriterion(c: JsonField): CriterionSummary {
  const name = c.get('name').string();
  const passes = c.get('passes').optional((p) => ({ forward: p.get('forward').number(), backward: p.get('backward').number() }));
  return {
    name,
    id: c.get('id').optional((f) => f.string()) ?? name,
    title: c.get('title').optional((f) => f.string()) ?? name,
    family: c.get('family').optional((f) => f.string()) ?? 'unknown',
    perturbation: c.get('perturbation').optional((f) => f.string()),
    seconds: c.get('seconds').number(),
    passes,
    scores: Object.fromEntries(c.get('scores').entries().map(([layer, f]) => [layer, f.optional((s) => s.number())])),
    error: c.get('error').optional((f) => f.string()),
  };
}
