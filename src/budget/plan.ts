/**
 * plan.json: the fixed format of a budget decision, its builder and its writer (the reader is plan-reader.ts).
 * Layer names are the weight initializers' names; a quant layer left in float32 is null (or omitted on read);
 * prune ratios are made with ratioForCount, so floor(r·n) gives back the exact count.
 */
import { writeFileSync } from 'node:fs';
import type { SolverBound } from './bound.js';
import { achievedBy } from './checks.js';
import { ratioForCount } from './counts.js';
import { weightCount } from './layers.js';
import { parsePlan } from './plan-reader.js';
import type { Allocation, Budget, BudgetLayer } from './types.js';

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

export interface PlanDetails {
  readonly method: string;
  readonly model: { readonly path: string; readonly sha256: string };
  readonly source: string;
  readonly evaluations?: number | undefined;
  readonly accuracy?: number | null | undefined;
  readonly predicted?: number | null | undefined;
  readonly bound?: SolverBound | null | undefined;
  readonly corrected?: number | null | undefined;
  readonly additivity?: number | null | undefined;
  readonly baselines?: Readonly<Record<string, number | null>> | undefined;
}

/** The plan of an allocation (e.g. a BudgetResult's, or a refinement's best) with its metadata. */
export function buildPlan(layers: readonly BudgetLayer[], budget: Budget, allocation: Allocation, details: PlanDetails): BudgetPlan {
  const achieved = achievedBy(layers, allocation);
  const base = {
    version: PLAN_VERSION,
    method: details.method,
    model: details.model.path,
    model_sha256: details.model.sha256,
    accuracy: details.accuracy ?? null,
    predicted: {
      cost: details.predicted ?? details.bound?.cost ?? null,
      lower_bound: details.bound?.lowerBound ?? null,
      gap: details.bound?.gap ?? null,
      slack: details.bound?.slack ?? null,
      corrected: details.corrected ?? null,
    },
    additivity: details.additivity ?? null,
    baselines: details.baselines ?? {},
    source: details.source,
    evaluations: details.evaluations ?? 0,
  } as const;
  if (allocation.kind === 'quant' && budget.kind === 'quant' && achieved.kind === 'quant') {
    return {
      ...base,
      kind: 'quant',
      layers: Object.fromEntries(layers.map((l) => [l.name, allocation.bits.get(l.name) ?? null])),
      budget: { avg_bits: budget.avgBits, bits: [...budget.bits], bops: budget.bops ?? null },
      achieved: { avg_bits: achieved.avgBits, bops: achieved.bops },
    };
  }
  if (allocation.kind === 'prune' && budget.kind === 'prune' && achieved.kind === 'prune') {
    return {
      ...base,
      kind: 'prune',
      layers: Object.fromEntries(layers.map((l) => [l.name, ratioForCount(allocation.counts.get(l.name) ?? 0, weightCount(l))])),
      budget: { sparsity: budget.sparsity },
      achieved: { sparsity: achieved.sparsity, pruned: achieved.pruned, total: achieved.total },
    };
  }
  if (allocation.kind === 'protect' && budget.kind === 'protect' && achieved.kind === 'protect') {
    return {
      ...base,
      kind: 'protect',
      layers: Object.fromEntries(layers.map((l) => [l.name, allocation.protected.get(l.name) === true])),
      budget: { overhead: budget.overhead, ber: budget.ber },
      achieved: { overhead: achieved.overhead, protected: achieved.protectedWeights, total: achieved.total },
    };
  }
  throw new Error(`internal error: a ${allocation.kind} allocation for a ${budget.kind} budget`);
}

/** The plan as JSON text (2-space indent, trailing newline), checked by the reader first. */
export function formatPlan(plan: BudgetPlan): string {
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  parsePlan(text, '<plan being written>');
  return text;
}

/** Writes the plan to `path`. */
export function writePlan(path: string, plan: BudgetPlan): void {
  writeFileSync(path, formatPlan(plan));
}

