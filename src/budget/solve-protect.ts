/** The exact protection choice: a 0/1 knapsack over the overhead budget, on the same solver. */
import { OptionError } from '../errors.js';
import type { BudgetSolution } from './bound.js';
import { solveKnapsack, type KnapsackLimits } from './knapsack.js';
import { freeLayers, totalWeights, weightCount } from './layers.js';
import type { AllocationOf, BudgetLayer, ProtectBudget } from './types.js';

/**
 * min Σ_{unprotected l} cost_l s.t. Σ_{protected l} n_l ≤ overhead·N, where cost_l is the predicted cost of
 * `bitflip:ber` in layer l alone and a protected layer costs 0. Kept layers are protected and count towards
 * the overhead. On equal cost a layer is protected.
 */
export function solveProtectBudget(
  layers: readonly BudgetLayer[],
  budget: ProtectBudget,
  keep: ReadonlySet<string>,
  costOf: (layer: BudgetLayer) => number,
  limits: KnapsackLimits,
): BudgetSolution<AllocationOf<'protect'>> {
  const free = freeLayers(layers, keep);
  const total = totalWeights(layers);
  const keptWeights = total - totalWeights(free);
  const groups = free.map((layer) => [
    { weight: [weightCount(layer)], cost: 0 },
    { weight: [0], cost: costOf(layer) },
  ]);
  // Σ n is an integer, so Σ n ≤ overhead·N ⟺ Σ n ≤ floor(overhead·N).
  const solution = solveKnapsack({ groups, capacity: [Math.floor(budget.overhead * total) - keptWeights] }, limits);
  if (solution === undefined) throw new OptionError(`--overhead ${budget.overhead} cannot even hold the kept layers`);
  const protect = new Map<string, boolean>(layers.map((l) => [l.name, true]));
  free.forEach((layer, i) => protect.set(layer.name, solution.choice[i] === 0));
  return {
    allocation: { kind: 'protect', protected: protect },
    bound: {
      cost: solution.cost,
      lowerBound: solution.lowerBound,
      gap: Math.max(0, solution.cost - solution.lowerBound),
      exact: solution.exact,
      slack: { overhead: solution.slack[0]! / total },
      cells: solution.cells,
    },
  };
}
