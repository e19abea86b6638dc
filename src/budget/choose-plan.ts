/**
 * The choice among every plan the refinement measured. The search runs in the costs' metric (a loss
 * increase is smooth and near enough to additive to fit coefficients against), but the user asked for
 * accuracy: so the plan with the highest measured accuracy wins, the lower cost breaking ties, then the
 * earlier plan. Where a budget makes every plan collapse, the least-loss plan can be one that predicts a
 * single class (10% on ten classes) while a baseline keeps 17%: accuracy first keeps the baseline.
 */
export interface MeasuredChoice {
  readonly label: string;
  /** Measured cost in the refinement's metric (lower is better). */
  readonly measured: number;
  /** Measured accuracy on the same images. */
  readonly accuracy: number;
}

export function chooseMeasuredPlan<C extends MeasuredChoice>(plans: readonly C[]): C {
  if (plans.length === 0) throw new Error('chooseMeasuredPlan: no plan was measured');
  return plans.reduce((a, b) => (b.accuracy > a.accuracy || (b.accuracy === a.accuracy && b.measured < a.measured) ? b : a));
}
