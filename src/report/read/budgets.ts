/**
 * Budget results: plan-<kind>.json (one plan), curve-<kind>.json (accuracy against budget, one row
 * per method and budget, baselines included) and ber-curve.json (accuracy against bit error rate,
 * with and without the protection plan). Formats: docs/report.md.
 */
import type { BerPoint, BudgetCurveRow, BudgetKind, BudgetPlan } from '../report-data.js';
import { JsonField } from './json-field.js';

export function parsePlan(file: string, text: string, kind: BudgetKind): BudgetPlan {
  const root = JsonField.parse(file, text);
  checkKind(root.get('kind'), kind);
  return {
    kind,
    layers: Object.fromEntries(root.get('layers').entries().map(([layer, f]) => [layer, layerSetting(f, kind)])),
    budget: root.get('budget').numberRecord(),
    achieved: root.get('achieved').numberRecord(),
    accuracy: root.get('accuracy').fraction(),
    predicted: root.get('predicted').optional((f) => f.numberRecord()) ?? {},
    additivity: root.get('additivity').optional((f) => f.number()),
    baselines: Object.fromEntries(root.get('baselines').optional((f) => f.entries())?.map(([name, f]) => [name, f.fraction()]) ?? []),
    source: root.get('source').string(),
    evaluations: root.get('evaluations').integer(),
    model: root.get('model').optional((f) => f.string()),
  };
}

export function parseCurve(file: string, text: string, kind: BudgetKind): BudgetCurveRow[] {
  return JsonField.parse(file, text).array().map((row) => {
    checkKind(row.get('kind'), kind);
    return {
      kind,
      budget: row.get('budget').number(),
      method: row.get('method').string(),
      achieved: row.get('achieved').number(),
      accuracy: row.get('accuracy').fraction(),
      interval: row.get('interval').interval(),
    };
  });
}

export function parseBerCurve(file: string, text: string): BerPoint[] {
  return JsonField.parse(file, text).array().map((row) => {
    const ber = row.get('ber');
    if (!(ber.number() > 0 && ber.number() <= 1)) ber.fail('a bit error rate in (0, 1]');
    return {
      ber: ber.number(),
      protected: row.get('protected').boolean(),
      accuracy: row.get('accuracy').fraction(),
      interval: row.get('interval').interval(),
      trials: row.get('trials').optional((f) => f.integer()),
    };
  });
}

function checkKind(field: JsonField, kind: BudgetKind): void {
  if (field.string() !== kind) field.fail(`"${kind}" (the kind its file name says)`);
}

function layerSetting(field: JsonField, kind: BudgetKind): number | boolean {
  switch (kind) {
    case 'quant': {
      const bits = field.value;
      if (!(Number.isInteger(bits) && (bits as number) >= 1 && (bits as number) <= 32)) field.fail('a bit-width from 1 to 32');
      return bits as number;
    }
    case 'prune':
      return field.fraction();
    case 'protect':
      return field.boolean();
  }
}
