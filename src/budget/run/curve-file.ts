/**
 * The files of `safer budget curve` and of the fault curve of a protect plan, and their readers:
 * curve-<kind>.json, an array of CurvePoint; ber-curve.json, an array of BerPoint.
 */
import { JsonField } from '../../json/json-field.js';
import { BudgetInputError } from '../errors.js';
import type { BudgetKind } from '../types.js';

/** One evaluated point of a budget curve. */
export interface CurvePoint {
  kind: BudgetKind;
  /** The budget asked for: average bits, sparsity or overhead. */
  budget: number;
  method: string;
  /** What the plan achieved, in the same unit. */
  achieved: number;
  /** Accuracy of the plan's model on the evaluation set (mean over fault trials for protect). */
  accuracy: number;
  /** Its 95% interval (Wilson over the images; Student's t over the trials for protect). */
  interval: [number, number];
  /**
   * Protect: the accuracy of each fault trial. Trial t flips the same bits of a layer under every plan that leaves
   * it unprotected (its seed comes from the layer, the rate and t), so two plans' trials pair.
   */
  trials?: number[];
}

/** Accuracy at a bit error rate, with or without the protection plan. */
export interface BerPoint {
  ber: number;
  protected: boolean;
  accuracy: number;
  interval: [number, number];
  /** Fault trials behind the mean. */
  trials: number;
}

function interval(field: JsonField): [number, number] {
  const [lo, hi] = field.array();
  if (!lo || !hi || field.array().length !== 2) field.fail('an interval [lo, hi]');
  if (!(lo.number() <= hi.number())) field.fail('[lo, hi] with lo ≤ hi');
  return [lo.number(), hi.number()];
}

const KINDS: readonly BudgetKind[] = ['quant', 'prune', 'protect'];

/** A curve file of any kind (the kind of its first row; every row must have it). */
export function parseAnyCurveFile(text: string, file: string): CurvePoint[] {
  const rows = JsonField.parse(file, text, BudgetInputError).array();
  const first = rows[0]?.get('kind');
  if (!first) return [];
  const kind = first.string();
  if (!KINDS.includes(kind as BudgetKind)) first.fail(`one of ${KINDS.join(', ')}`);
  return parseCurveFile(text, file, kind as BudgetKind);
}

export function parseCurveFile(text: string, file: string, kind: BudgetKind): CurvePoint[] {
  return JsonField.parse(file, text, BudgetInputError).array().map((row) => {
    const k = row.get('kind');
    if (k.string() !== kind) k.fail(`"${kind}" (the kind of the curve)`);
    const trials = row.get('trials').optional((f) => f.array().map((t) => t.fraction()));
    return {
      kind,
      budget: row.get('budget').number(),
      method: row.get('method').string(),
      achieved: row.get('achieved').number(),
      accuracy: row.get('accuracy').fraction(),
      interval: interval(row.get('interval')),
      ...(trials ? { trials } : {}),
    };
  });
}

export function parseBerFile(text: string, file: string): BerPoint[] {
  return JsonField.parse(file, text, BudgetInputError).array().map((row) => {
    const ber = row.get('ber');
    if (!(ber.number() > 0 && ber.number() <= 1)) ber.fail('a bit error rate in (0, 1]');
    return {
      ber: ber.number(),
      protected: row.get('protected').boolean(),
      accuracy: row.get('accuracy').fraction(),
      interval: interval(row.get('interval')),
      trials: row.get('trials').integer(),
    };
  });
}
