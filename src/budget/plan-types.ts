/** The plan.json format: one type per budget kind (written by plan.ts, read by plan-reader.ts). */

/** The plan.json format version this code writes and reads. */
export const PLAN_VERSION = 1;

export interface PlanPrediction {
  /** Σ of the per-layer predicted costs (null without cost curves). */
  readonly cost: number | null;
  /** The solver's lower bound on the optimum (null for heuristics). */
  readonly lower_bound: number | null;
  /** cost − lower_bound (0 = proven optimal; null for heuristics). */
  readonly gap: number | null;
  /** Budget tightening under which the plan is no worse than the exact optimum (null for heuristics). */
  readonly slack: Readonly<Record<string, number>> | null;
  /** The refinement's corrected prediction Σ α_l·c_l (null without refinement). */
  readonly corrected: number | null;
}

interface PlanBase {
  readonly version: typeof PLAN_VERSION;
  /** The budget method id that made the plan. */
  readonly method: string;
  /** The model file the plan was made for, and its sha256 (hex): a plan for another model is refused. */
  readonly model: string;
  readonly model_sha256: string;
  /** Top-1 accuracy of the written model, in [0, 1]; null until evaluated. */
  readonly accuracy: number | null;
  readonly predicted: PlanPrediction;
  /** Measured drop ÷ Σ predicted single-layer drops; null until measured. */
  readonly additivity: number | null;
  /** Accuracy of each baseline at the same budget, in [0, 1]. */
  readonly baselines: Readonly<Record<string, number | null>>;
  /** Where the cost curves came from, e.g. "sweep.jsonl", "criterion:hawq-v2", "measure". */
  readonly source: string;
  /** Joint evaluations spent (refinement and baselines). */
  readonly evaluations: number;
  /** The ONNX file written with the plan's weights (--model-out), or null. */
  readonly model_out: string | null;
}

export interface QuantPlan extends PlanBase {
  readonly kind: 'quant';
  readonly layers: Readonly<Record<string, number | null>>;
  readonly budget: { readonly avg_bits: number; readonly bits: readonly number[]; readonly bops: number | null };
  readonly achieved: { readonly avg_bits: number; readonly bops: number | null };
}

export interface PrunePlan extends PlanBase {
  readonly kind: 'prune';
  readonly layers: Readonly<Record<string, number>>;
  readonly budget: { readonly sparsity: number };
  readonly achieved: { readonly sparsity: number; readonly pruned: number; readonly total: number };
}

export interface ProtectPlan extends PlanBase {
  readonly kind: 'protect';
  readonly layers: Readonly<Record<string, boolean>>;
  readonly budget: { readonly overhead: number; readonly ber: number };
  readonly achieved: { readonly overhead: number; readonly protected: number; readonly total: number };
}

export type BudgetPlan = QuantPlan | PrunePlan | ProtectPlan;

