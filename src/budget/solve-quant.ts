/** The exact bit allocation: a multiple-choice knapsack over the average-bits budget (and BOPs, if given). */
import { OptionError } from '../errors.js';
import type { BudgetSolution } from './bound.js';
import { FLOAT_BITS } from './checks.js';
import { solveKnapsack, type KnapsackLimits } from './knapsack.js';
import { freeLayers, totalWeights, weightCount } from './layers.js';
import type { AllocationOf, BudgetLayer, QuantBudget } from './types.js';

/**
 * min Σ_l cost_l(b_l) s.t. Σ_l b_l·n_l ≤ avgBits·N (float32 layers at 32) and Σ_l FLOPs_l·b_l ≤ bops,
 * b_l ∈ bits for every layer not kept; kept layers stay float32. On equal cost the larger bit-width wins.
 */
export function solveQuantBudget(
  layers: readonly BudgetLayer[],
  budget: QuantBudget,
  keep: ReadonlySet<string>,
  costOf: (layer: BudgetLayer, bits: number) => number,
  limits: KnapsackLimits,
): BudgetSolution<AllocationOf<'quant'>> {
  const free = freeLayers(layers, keep);
  const kept = layers.filter((l) => keep.has(l.name));
  const total = totalWeights(layers);
  const options = [...budget.bits].sort((a, b) => b - a);
  const withBops = budget.bops !== undefined;
  const flops = (l: BudgetLayer) => l.flops ?? 0;
  // Σ b·n is an integer, so Σ b·n ≤ avgBits·N ⟺ Σ b·n ≤ floor(avgBits·N).
  const capacity = [Math.floor(budget.avgBits * total) - FLOAT_BITS * totalWeights(kept)];
  if (withBops) capacity.push((budget.bops ?? 0) - FLOAT_BITS * kept.reduce((acc, l) => acc + flops(l), 0));
  const groups = free.map((layer) =>
    options.map((bits) => ({
      weight: withBops ? [bits * weightCount(layer), bits * flops(layer)] : [bits * weightCount(layer)],
      cost: costOf(layer, bits),
    })),
  );
  const solution = solveKnapsack({ groups, capacity }, limits);
  if (solution === undefined) {
    throw new OptionError('no bit allocation fits the budget on the DP grid; raise the solver limits or loosen --bops');
  }
  const bits = new Map<string, number | null>(layers.map((l) => [l.name, null]));
  free.forEach((layer, i) => bits.set(layer.name, options[solution.choice[i]!]!));
  const slack: Record<string, number> = { avg_bits: solution.slack[0]! / total };
  if (withBops) slack.bops = solution.slack[1]!;
  return {
    allocation: { kind: 'quant', bits },
    bound: {
      cost: solution.cost,
      lowerBound: solution.lowerBound,
      gap: Math.max(0, solution.cost - solution.lowerBound),
      exact: solution.exact,
      slack,
      cells: solution.cells,
    },
  };
}
