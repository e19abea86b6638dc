/**
 * The one interface every budget method implements: a pure function from layers, a budget and the inputs it
 * declares (cost curves, weights, Hessian traces) to an allocation. `runBudgetMethod` validates the request,
 * calls the method, and checks that the plan respects its budget exactly.
 */
import { OptionError } from '../errors.js';
import type { SolverBound } from './bound.js';
import { achievedBy, budgetViolation, keepViolation, type Achieved } from './checks.js';
import { BUDGET_DEFAULTS } from './defaults.js';
import { DEFAULT_KNAPSACK_LIMITS, type KnapsackLimits } from './knapsack.js';
import { resolveKeep } from './layers.js';
import { predictedCost } from './predict.js';
import { checkBudget } from './validate.js';
import type { Allocation, AllocationOf, Budget, BudgetKind, BudgetLayer, BudgetOf, CostCurves, WeightSource } from './types.js';

export interface BudgetNeeds {
  /** Its inputs can only be had with evaluation data (Hessian traces); measured cost curves are the caller's business. */
  readonly data: boolean;
  /** Reads per-layer cost curves: `input.costs`. */
  readonly costs: boolean;
  /** Reads the layers' weight tensors: `input.weights`. */
  readonly weights: boolean;
  /** Reads per-layer Hessian traces Tr(H_l): `input.traces`. */
  readonly trace: boolean;
}

/** What every method gets. */
export interface MethodContext<K extends BudgetKind> {
  /** Every layer of the model, in layer order (kept ones included). */
  readonly layers: readonly BudgetLayer[];
  readonly budget: BudgetOf<K>;
  /** Layers held out of the plan (float32 / dense / protected), already checked against the layer names. */
  readonly keep: ReadonlySet<string>;
  readonly seed: number;
  readonly limits: KnapsackLimits;
}

/** The inputs a method declared in `needs`, and only those (the compiler stops a method reading others). */
export type MethodInput<K extends BudgetKind, N extends BudgetNeeds> = MethodContext<K> &
  (N['costs'] extends true ? { readonly costs: CostCurves } : unknown) &
  (N['weights'] extends true ? { readonly weights: WeightSource } : unknown) &
  (N['trace'] extends true ? { readonly traces: ReadonlyMap<string, number> } : unknown);

export interface MethodOutput<K extends BudgetKind> {
  readonly allocation: AllocationOf<K>;
  /** The solver's optimality statement; null for heuristics. */
  readonly bound: SolverBound | null;
}

export interface BudgetMethod<Id extends string = string, K extends BudgetKind = BudgetKind, N extends BudgetNeeds = BudgetNeeds> {
  /** Kebab-case, equal to the file name under src/budget/methods/. */
  readonly id: Id;
  readonly title: string;
  /** Paper (authors year) or "safer". */
  readonly cite: string;
  readonly kinds: readonly K[];
  readonly needs: N;
  allocate(input: MethodInput<K, N>): MethodOutput<K>;
}

export type AnyBudgetMethod = BudgetMethod<string, BudgetKind, BudgetNeeds>;

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Checks and returns a method definition (a bad one is a bug: plain Error at import time). */
export function defineBudgetMethod<const Id extends string, const K extends BudgetKind, const N extends BudgetNeeds>(
  method: BudgetMethod<Id, K, N>,
): BudgetMethod<Id, K, N> {
  const problems: string[] = [];
  if (!KEBAB.test(method.id)) problems.push('id must be kebab-case');
  if (method.title.trim() === '') problems.push('title is empty');
  if (method.cite.trim() === '') problems.push('cite is empty');
  if (method.kinds.length === 0 || new Set(method.kinds).size !== method.kinds.length) problems.push('kinds must be distinct and non-empty');
  if (method.needs.trace && !method.needs.data) problems.push('needs.trace implies needs.data (Hessian traces are estimated on data)');
  if (problems.length > 0) throw new Error(`internal error: budget method "${method.id}": ${problems.join('; ')}`);
  return method;
}

/** Everything a caller can supply; a method reads what its `needs` declare. */
export interface BudgetRequest {
  readonly layers: readonly BudgetLayer[];
  readonly budget: Budget;
  /** Layer names held out of the plan; unknown names are an OptionError. */
  readonly keep?: Iterable<string> | undefined;
  /** Seed of the random baseline (default BUDGET_DEFAULTS.seed). */
  readonly seed?: number | undefined;
  /** Per-layer cost curves, needed by `mckp`; when given, every result also gets a predicted cost. */
  readonly costs?: CostCurves | undefined;
  readonly weights?: WeightSource | undefined;
  readonly traces?: ReadonlyMap<string, number> | undefined;
  readonly limits?: KnapsackLimits | undefined;
}

export interface BudgetResult {
  readonly method: string;
  readonly allocation: Allocation;
  readonly achieved: Achieved;
  /** Σ of the per-layer predicted costs, when cost curves were given and cover the plan; else null. */
  readonly predicted: number | null;
  readonly bound: SolverBound | null;
}

/** Validates the request, runs the method, and checks the plan against its budget (a violation is a bug). */
export function runBudgetMethod(method: AnyBudgetMethod, request: BudgetRequest): BudgetResult {
  const { layers, budget } = request;
  if (!method.kinds.includes(budget.kind)) {
    throw new OptionError(`budget method "${method.id}" does not allocate ${budget.kind} budgets; it does ${method.kinds.join(', ')}`);
  }
  const missing = [
    method.needs.costs && request.costs === undefined ? 'per-layer cost curves (--from, --criterion or --measure)' : undefined,
    method.needs.weights && request.weights === undefined ? 'the layer weights' : undefined,
    method.needs.trace && request.traces === undefined ? 'per-layer Hessian traces' : undefined,
  ].filter((m) => m !== undefined);
  if (missing.length > 0) throw new OptionError(`budget method "${method.id}" needs ${missing.join(' and ')}`);
  const keep = resolveKeep(layers, request.keep);
  checkBudget(layers, budget, keep);
  const input: MethodContext<BudgetKind> & { costs?: CostCurves; weights?: WeightSource; traces?: ReadonlyMap<string, number> } = {
    layers,
    budget,
    keep,
    seed: request.seed ?? BUDGET_DEFAULTS.seed,
    limits: request.limits ?? DEFAULT_KNAPSACK_LIMITS,
    ...(request.costs && { costs: request.costs }),
    ...(request.weights && { weights: request.weights }),
    ...(request.traces && { traces: request.traces }),
  };
  const { allocation, bound } = method.allocate(input);
  const problem = budgetViolation(layers, budget, allocation) ?? keepViolation(keep, allocation);
  if (problem !== undefined) throw new Error(`internal error: budget method "${method.id}" broke its budget: ${problem}`);
  return {
    method: method.id,
    allocation,
    achieved: achievedBy(layers, allocation),
    predicted: request.costs ? predictedCost(layers, allocation, budget, request.costs) : null,
    bound,
  };
}
