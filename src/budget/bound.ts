/** The solver's statement of how close its plan is to the exact optimum. */

export interface SolverBound {
  /** Predicted cost of the plan: Σ of its per-layer costs. */
  readonly cost: number;
  /** The exact optimum at the same budget is at least this: optimum ∈ [lowerBound, cost]. */
  readonly lowerBound: number;
  /** cost − lowerBound ≥ 0; 0 means proven optimal. */
  readonly gap: number;
  /** The DP ran on the exact integer resource: no weight was rounded. */
  readonly exact: boolean;
  /**
   * Per budget quantity (avg_bits, bops, sparsity, overhead): the plan costs no more than the exact optimum
   * at the budget tightened by this much. 0 where exact.
   */
  readonly slack: Readonly<Record<string, number>>;
  /** Cells of the DP table. */
  readonly cells: number;
}

/** One line for the CLI, e.g. "proven optimal (exact DP, 1201 cells)" or "within 0.0012 of the optimum (…)". */
export function describeBound(bound: SolverBound): string {
  const slack = Object.entries(bound.slack)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${formatSmall(v)}`)
    .join(', ');
  const grid = `${bound.exact ? 'exact DP' : 'DP'} over ${bound.cells} cells`;
  if (bound.gap <= 0) return `proven optimal (${grid})`;
  return `predicted cost ${formatSmall(bound.cost)}, within ${formatSmall(bound.gap)} of the optimum (${grid}${slack ? `; no worse than the optimum at a budget tighter by ${slack}` : ''})`;
}

function formatSmall(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

/** A solver's allocation with its bound. */
export interface BudgetSolution<A> {
  readonly allocation: A;
  readonly bound: SolverBound;
}
