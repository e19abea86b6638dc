/** The refinement of a budget request on the exact solver: the RefineProblem of the `mckp` method. */
import { BudgetInputError } from './errors.js';
import { runBudgetMethod, type BudgetRequest } from './method.js';
import mckp from './methods/mckp.js';
import { layerCosts } from './predict.js';
import { refinePlan, type RefineCandidate, type RefineOptions, type RefineProblem, type RefineResult } from './refine.js';
import type { Allocation, CostCurves } from './types.js';

/** A request with the cost curves the solver needs. */
export type RefineRequest = BudgetRequest & { readonly costs: CostCurves };

/** solve(α) = mckp on the curves scaled by α_l; layerCosts from the unscaled curves; key = the decisions in layer order. */
export function budgetRefineProblem(request: RefineRequest): RefineProblem<Allocation> {
  const { layers, budget, costs } = request;
  return {
    layers: layers.map((l) => l.name),
    solve: (coefficients) => runBudgetMethod(mckp, { ...request, costs: scaledCurves(costs, coefficients) }).allocation,
    layerCosts: (plan) => layerCosts(layers, plan, budget, costs),
    key: (plan) => allocationKey(plan, layers.map((l) => l.name)),
  };
}

/**
 * Refines the solver's plan for `request` against `measure` (joint cost of a whole plan, e.g. the accuracy drop
 * of the written model). Candidates (the baselines' allocations) are measured too, so the best measured plan is
 * never worse than any of them.
 */
export function refineBudget(
  request: RefineRequest,
  measure: (allocation: Allocation) => Promise<number>,
  options: RefineOptions<Allocation> = {},
): Promise<RefineResult<Allocation>> {
  for (const candidate of options.candidates ?? []) checkCandidate(candidate, request);
  return refinePlan(budgetRefineProblem(request), measure, { seed: request.seed, ...options });
}

function checkCandidate(candidate: RefineCandidate<Allocation>, request: RefineRequest): void {
  if (candidate.plan.kind !== request.budget.kind) {
    throw new BudgetInputError(`refinement candidate "${candidate.label}" is a ${candidate.plan.kind} plan for a ${request.budget.kind} budget`);
  }
}

/** α_l·c_l(level) for every point of every curve (α missing = 1). */
export function scaledCurves(costs: CostCurves, coefficients: ReadonlyMap<string, number>): CostCurves {
  return new Map([...costs].map(([layer, curve]) => [layer, curve.map((p) => ({ level: p.level, cost: (coefficients.get(layer) ?? 1) * p.cost }))]));
}

/** A canonical text of an allocation's decisions, in the given layer order. */
export function allocationKey(allocation: Allocation, names: readonly string[]): string {
  const values = names.map((name) =>
    allocation.kind === 'quant' ? allocation.bits.get(name) ?? null
    : allocation.kind === 'prune' ? allocation.counts.get(name) ?? 0
    : allocation.protected.get(name) ?? false,
  );
  return `${allocation.kind}:${JSON.stringify(values)}`;
}
