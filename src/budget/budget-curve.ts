/** `safer budget curve quant|prune|protect`: the budget grid, the plans of each method along it, and the row type. */
import { SaferError } from '../errors.js';
import { achievedValue } from './checks.js';
import { BUDGET_DEFAULTS } from './defaults.js';
import { runBudgetMethod, type AnyBudgetMethod, type BudgetRequest, type BudgetResult } from './method.js';
import type { Budget, BudgetKind } from './types.js';

/** One point of a budget curve, once the plan has been evaluated. */
export interface CurveRow {
  /** The budget asked for: average bits, sparsity or overhead. */
  readonly budget: number;
  readonly method: string;
  /** What the plan achieved, in the same unit. */
  readonly achieved: number;
  /** Accuracy of the written model (mean over trials for protect). */
  readonly accuracy: number;
  /** Its confidence interval [lo, hi]. */
  readonly interval: readonly [number, number];
}

export interface GridRange {
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

/** from, from + step, … up to `to` inclusive (average bits 2–8, sparsity 0.3–0.95, overhead 0–0.5 by default). */
export function budgetGrid(kind: BudgetKind, range: GridRange = BUDGET_DEFAULTS.curves[kind]): number[] {
  const count = Math.floor((range.to - range.from) / range.step + 1e-9) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, i) => Number((range.from + i * range.step).toFixed(10)));
}

/** The budget with its headline value (average bits, sparsity, overhead) replaced. */
export function budgetAt(template: Budget, value: number): Budget {
  switch (template.kind) {
    case 'quant':
      return { ...template, avgBits: value };
    case 'prune':
      return { ...template, sparsity: value };
    case 'protect':
      return { ...template, overhead: value };
  }
}

/** A plan of the curve before evaluation, or why the method has none at that budget. */
export type CurvePlan =
  | { readonly budget: number; readonly method: string; readonly result: BudgetResult; readonly achieved: number }
  | { readonly budget: number; readonly method: string; readonly error: string };

/**
 * Every method's plan at every budget of the grid (the request's budget is the template). A budget a method
 * cannot meet gives an entry with its one-line error instead of stopping the curve.
 */
export function curvePlans(request: BudgetRequest, methods: readonly AnyBudgetMethod[], grid = budgetGrid(request.budget.kind)): CurvePlan[] {
  return grid.flatMap((value) =>
    methods.map((method): CurvePlan => {
      try {
        const result = runBudgetMethod(method, { ...request, budget: budgetAt(request.budget, value) });
        return { budget: value, method: method.id, result, achieved: achievedValue(result.achieved) };
      } catch (e) {
        if (e instanceof SaferError) return { budget: value, method: method.id, error: e.message };
        throw e;
      }
    }),
  );
}
