/**
 * The budget module's public API: per-layer cost curves in, per-layer decisions out (pure; no sessions).
 *
 * @example
 * const costs = costCurvesFrom(rows.map((r) => ({ layer: r.layer, level: r.bits, cost: r.drop })));
 * const budget: Budget = { kind: 'quant', avgBits: 3.5, bits: BUDGET_DEFAULTS.quantBits };
 * const result = runBudgetMethod(findBudgetMethod('mckp'), { layers, budget, costs });
 * console.log(describeBound(result.bound!));
 * writePlan('plan.json', buildPlan(layers, budget, result.allocation, {
 *   method: result.method, model: { path, sha256 }, source: 'sweep.jsonl', bound: result.bound,
 * }));
 */
export { BUDGET_DEFAULTS } from './defaults.js';
export { BudgetInputError } from './errors.js';
export type {
  Allocation, AllocationOf, Budget, BudgetKind, BudgetLayer, BudgetOf, CostCurve, CostCurves, CostPoint,
  ProtectAllocation, ProtectBudget, PruneAllocation, PruneBudget, QuantAllocation, QuantBudget, WeightSource,
} from './types.js';
export { BUDGET_KINDS, BUDGET_PERTURBATION } from './types.js';
export { KEPT_STATE, resolveKeep, totalWeights, weightCount } from './layers.js';
export { costCurvesFrom } from './curves.js';
export { layerCosts, predictedCost } from './predict.js';
export {
  achievedBy, achievedValue, averageBits, bitOps, budgetValue, budgetViolation, FLOAT_BITS, globalSparsity,
  keepViolation, protectionOverhead, prunedWeights, type Achieved, type ProtectAchieved, type PruneAchieved, type QuantAchieved,
} from './checks.js';
export { prunedCount, pruneTarget, ratioForCount } from './counts.js';
export { checkBudget } from './validate.js';
export { describeBound, type BudgetSolution, type SolverBound } from './bound.js';
export { solveKnapsack, DEFAULT_KNAPSACK_LIMITS, type KnapsackLimits, type KnapsackProblem, type KnapsackSolution } from './knapsack.js';
export {
  defineBudgetMethod, runBudgetMethod, type AnyBudgetMethod, type BudgetMethod, type BudgetNeeds, type BudgetRequest,
  type BudgetResult, type MethodInput,
} from './method.js';
export { BUDGET_METHODS, DEFAULT_BUDGET_METHOD, baselineMethodsFor, budgetMethodsFor, findBudgetMethod, type BudgetMethodId } from './methods/index.js';
export { refinePlan, type RefineCandidate, type RefineOptions, type RefineProblem, type RefineResult, type RefineStep } from './refine.js';
export { budgetRefineProblem, refineBudget, type RefineRequest } from './budget-refine.js';
export { additivityRatio } from './additivity.js';
export { buildPlan, formatPlan, writePlan, type PlanDetails } from './plan.js';
export { PLAN_VERSION, type BudgetPlan, type PlanPrediction, type PrunePlan, type ProtectPlan, type QuantPlan } from './plan-types.js';
export { allocationFromPlan, budgetOfPlan, checkPlanModel, parsePlan, readPlan } from './plan-reader.js';
export { budgetAt, budgetGrid, curvePlans, type CurvePlan, type CurveRow, type GridRange } from './budget-curve.js';
