/**
 * `safer budget curve`: accuracy against budget along a grid (average bits 2–8, sparsity 0.3–0.95,
 * overhead 0–0.5 by default), one row per (budget, method): the default plan, a plan from each given
 * criterion, the oracle's plan from measured sweep rows (when given), and every baseline, each the
 * accuracy of its model on the evaluation set with its interval.
 */
import { OptionError, SaferError } from '../../errors.js';
import { budgetAt } from '../budget-curve.js';
import { achievedValue } from '../checks.js';
import { baselineMethodsFor } from '../methods/index.js';
import type { Allocation, Budget } from '../types.js';
import type { BerPoint, CurvePoint } from './curve-file.js';
import type { BaselineRun, BudgetSession, CostSource } from './run-budget.js';
import type { Evaluation } from './evaluate-plan.js';

export interface CurveOptions {
  /** The plans the solver makes, by label (e.g. "safer", "criterion:output-kl@quantc:3", "oracle"). */
  sources: readonly { label: string; source: CostSource }[];
  refine: { evaluations: number } | null;
  keep?: readonly string[];
  onPoint?: (done: number, total: number, label: string) => void;
  /** Why a method has no plan at a budget (an impossible budget, say). */
  onSkip?: (note: string) => void;
}

export async function budgetCurve(session: BudgetSession, template: Budget, grid: readonly number[], options: CurveOptions): Promise<CurvePoint[]> {
  const points: CurvePoint[] = [];
  const baselines = baselineMethodsFor(template.kind);
  const total = grid.length * (options.sources.length + baselines.length);
  let done = 0;
  const keep = options.keep ?? [];
  for (const value of grid) {
    const budget = budgetAt(template, value);
    type Measured = Pick<CurvePoint, 'achieved' | 'accuracy' | 'interval' | 'trials'>;
    const point = (achieved: number, e: Evaluation): Measured => ({ achieved, accuracy: e.accuracy, interval: e.interval, ...(e.trials ? { trials: e.trials } : {}) });
    const add = async (label: string, make: () => Promise<Measured>): Promise<void> => {
      options.onPoint?.(++done, total, `${label} at ${value}`);
      try {
        points.push({ kind: template.kind, budget: value, method: label, ...(await make()) });
      } catch (e) {
        if (!(e instanceof SaferError)) throw e;
        options.onSkip?.(`${label} at ${value}: ${e.message}`);
      }
    };
    // The first measured source's refinement takes every baseline as a candidate (so that its plan is never worse
    // than one it measured), and its evaluations of the baselines give their rows.
    let baselineRuns: BaselineRun[] | undefined;
    for (const { label, source } of options.sources) {
      await add(label, async () => {
        const refine = source.kind === 'criterion' ? null : options.refine;
        const withBaselines = refine !== null && baselineRuns === undefined;
        const run = await session.decide(budget, source, { keep, refine, baselines: withBaselines });
        if (withBaselines) baselineRuns = run.baselines;
        return point(run.achieved, run.evaluation);
      });
    }
    for (const method of baselines) {
      const measured = baselineRuns?.find((b) => b.method === method.id);
      await add(method.id, async () => {
        if (measured?.evaluation && measured.achieved !== undefined) return point(measured.achieved, measured.evaluation);
        if (measured?.error !== undefined) throw new OptionError(measured.error);
        const result = await session.methodPlan(method.id, budget, new Set(keep));
        const e = await session.evaluate(result.allocation, budget);
        return point(achievedValue(result.achieved), e);
      });
    }
  }
  return points;
}

/**
 * Accuracy against bit error rate, with the protect plan's layers protected and without protection:
 * ber-curve.json. Every point is the mean over the session's fault trials.
 */
export async function berCurve(session: BudgetSession, allocation: Allocation, bers: readonly number[], onPoint?: (done: number, total: number) => void): Promise<BerPoint[]> {
  const none: Allocation = { kind: 'protect', protected: new Map() };
  const points: BerPoint[] = [];
  let done = 0;
  for (const ber of bers) {
    for (const [isProtected, plan] of [[false, none], [true, allocation]] as const) {
      onPoint?.(++done, 2 * bers.length);
      const budget: Budget = { kind: 'protect', ber, overhead: 1 };
      const e = await session.evaluate(plan, budget);
      points.push({ ber, protected: isProtected, accuracy: e.accuracy, interval: e.interval, trials: e.trials?.length ?? 0 });
    }
  }
  return points;
}
