/**
 * Budget results, read by the budget module's own readers (one format, one reader): plan-<kind>.json
 * (budget/plan-reader.ts), curve-<kind>.json and ber-curve.json (budget/run/curve-file.ts), turned into
 * the report's view of them.
 */
import { parsePlan as readPlanText } from '../../budget/plan-reader.js';
import { parseBerFile, parseCurveFile } from '../../budget/run/curve-file.js';
import { SaferError } from '../../errors.js';
import { JsonField } from '../../json/json-field.js';
import { ReportInputError } from '../errors.js';
import type { BerPoint, BudgetCurveRow, BudgetKind, BudgetPlan } from '../report-data.js';

/** A budget reader's error as the report's. */
function reading<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof SaferError && !(e instanceof ReportInputError)) throw new ReportInputError(e.message);
    throw e;
  }
}

const numbers = (record: Readonly<Record<string, unknown>>): Record<string, number> =>
  Object.fromEntries(Object.entries(record).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));

export function parsePlan(file: string, text: string, kind: BudgetKind): BudgetPlan {
  // The kind first: a plan of another kind would fail on its budget's fields, which says less.
  const said = JsonField.parse(file, text, ReportInputError).get('kind').value;
  if (said !== kind) throw new ReportInputError(`${file}: field "kind" must be "${kind}" (the kind its file name says), got ${JSON.stringify(said)}`);
  const plan = reading(() => readPlanText(text, file));
  const layers: Record<string, number | boolean> = {};
  for (const [name, value] of Object.entries(plan.layers as Readonly<Record<string, number | boolean | null>>)) if (value !== null) layers[name] = value;
  if (plan.accuracy === null) throw new ReportInputError(`${file}: field "accuracy" is null; the plan was not evaluated`);
  return {
    kind,
    layers,
    budget: numbers(plan.budget),
    achieved: numbers(plan.achieved),
    accuracy: plan.accuracy,
    predicted: numbers({ ...plan.predicted }),
    additivity: plan.additivity,
    baselines: Object.fromEntries(Object.entries(plan.baselines).filter((entry): entry is [string, number] => entry[1] !== null)),
    source: plan.source,
    evaluations: plan.evaluations,
    model: plan.model_out,
  };
}

export function parseCurve(file: string, text: string, kind: BudgetKind): BudgetCurveRow[] {
  return reading(() => parseCurveFile(text, file, kind));
}

export function parseBerCurve(file: string, text: string): BerPoint[] {
  return reading(() => parseBerFile(text, file));
}
