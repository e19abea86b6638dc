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
import { PLAN_VERSION, type BudgetPlan } from './plan-types.js';
import type { Allocation, Budget, BudgetLayer } from './types.js';

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
  readonly modelOut?: string | null | undefined;
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
    model_out: details.modelOut ?? null,
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

