/**
 * Budget regret: whether a criterion is good enough to decide with. At one budget on one model, a
 * criterion's regret is the accuracy of the plan the exact solver builds from its scores minus the
 * accuracy of the plan it builds from the measured drops (the oracle), both models evaluated on the
 * same data (`safer budget curve ... --from rows --criterion a,b,...`). Here: per budget kind and
 * criterion, the mean over every (model, budget) point of the given curve files, with a bootstrap
 * interval over those points, and the worst point. Near 0 (or above) the criterion decides as well
 * as the measured truth; far below it, its ranking costs accuracy where it counts.
 */
import { readFileSync } from 'node:fs';
import { parseAnyCurveFile, type CurvePoint } from '../budget/run/curve-file.js';
import { BUDGET_PERTURBATION, type BudgetKind } from '../budget/types.js';
import { bootstrapMean, type BootstrapOptions, type Estimate } from './bootstrap.js';
import { BenchInputError } from './errors.js';

/** The benchmark column a budget kind's plans answer for: the perturbation they apply (quant plans quantize per channel). */
export const REGRET_COLUMN: { readonly [K in BudgetKind]: string } = BUDGET_PERTURBATION;

/** The plan of the default (measured costs) and of each criterion, as budget curves label them. */
export const DEFAULT_PLAN = 'safer';
const CRITERION_PREFIX = 'criterion:';

export interface RegretRow {
  kind: BudgetKind;
  column: string;
  /** A criterion instance as scores name it (output-kl and output-kl@prune:0.5 are two), or DEFAULT_PLAN. */
  criterion: string;
  /** (model, budget) points. */
  points: number;
  /** Mean regret in accuracy (fraction of 1) with a bootstrap interval over the points. */
  regret: Estimate;
  worst: number;
}

export interface CurveFile {
  file: string;
  points: CurvePoint[];
}

export function readCurveFiles(paths: readonly string[]): CurveFile[] {
  return paths.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new BenchInputError(`${file}: cannot read the budget curve (${(e as Error).message}); write it with "safer budget curve ... --from rows --criterion ..."`);
    }
    return { file, points: parseAnyCurveFile(text, file) };
  });
}

/** The regret of every criterion (and of the default plan) over the curve files; notes for files without an oracle. */
export function budgetRegret(files: readonly CurveFile[], bootstrap: Required<BootstrapOptions>, notes: string[]): RegretRow[] {
  const byKey = new Map<string, { kind: BudgetKind; criterion: string; values: number[] }>();
  for (const { file, points } of files) {
    const budgets = [...new Set(points.map((p) => p.budget))];
    let withOracle = 0;
    for (const budget of budgets) {
      const at = points.filter((p) => p.budget === budget);
      const oracle = at.find((p) => p.method === 'oracle');
      if (!oracle) continue;
      withOracle++;
      for (const p of at) {
        const criterion = p.method === DEFAULT_PLAN ? DEFAULT_PLAN : p.method.startsWith(CRITERION_PREFIX) ? p.method.slice(CRITERION_PREFIX.length) : undefined;
        if (criterion === undefined) continue;
        const key = `${p.kind}\u0000${criterion}`;
        const entry = byKey.get(key) ?? { kind: p.kind, criterion, values: [] };
        entry.values.push(p.accuracy - oracle.accuracy);
        byKey.set(key, entry);
      }
    }
    if (withOracle === 0) notes.push(`${file}: no oracle plan (made with --from sweep rows) at any budget; it gives no regret`);
  }
  return [...byKey.values()].map(({ kind, criterion, values }) => ({
    kind, column: REGRET_COLUMN[kind], criterion, points: values.length,
    regret: bootstrapMean(values, bootstrap) as Estimate,
    worst: Math.min(...values),
  })).sort((a, b) => a.kind.localeCompare(b.kind) || b.regret.mean - a.regret.mean || a.criterion.localeCompare(b.criterion));
}
