/**
 * The exact pruning allocation: min Σ_l c_l(k_l) s.t. Σ_l k_l = K = floor(s·N), where c_l is the layer's cost
 * curve interpolated linearly in the pruned count k between its measured points (docs/budgets.md).
 *
 * With each layer's segment fixed, the problem is a linear program with one equality over a box, so some
 * optimum has every layer at a measured point except at most one, whose count K − Σ others is then an
 * integer. The solver therefore (1) runs the knapsack on the measured points with Σ_l (n_l − k_l) ≤ N − K,
 * i.e. at least K pruned, (2) hands the excess back to the one layer whose curve gains most from it (several
 * only if no single layer holds it), which makes Σ k_l = K exactly, and (3) bounds the optimum from below with
 * the knapsack relaxation in which at most one layer may take any segment at its cheaper end and its fewer
 * survivors (a second dimension of capacity 1).
 */
import { OptionError } from '../errors.js';
import type { BudgetSolution } from './bound.js';
import { pruneTarget } from './counts.js';
import { costAtCount, type CountPoint } from './curves.js';
import { knapsackLowerBound, solveKnapsack, type KnapsackLimits } from './knapsack.js';
import { freeLayers, totalWeights, weightCount } from './layers.js';
import { formatBelow } from './validate.js';
import type { AllocationOf, BudgetLayer, PruneBudget } from './types.js';

/** See the file comment. `pointsOf` gives a layer's curve in counts, by increasing count, starting at (0, ·). */
export function solvePruneBudget(
  layers: readonly BudgetLayer[],
  budget: PruneBudget,
  keep: ReadonlySet<string>,
  pointsOf: (layer: BudgetLayer) => readonly CountPoint[],
  limits: KnapsackLimits,
): BudgetSolution<AllocationOf<'prune'>> {
  const free = freeLayers(layers, keep);
  const total = totalWeights(layers);
  const freeTotal = totalWeights(free);
  const target = pruneTarget(budget.sparsity, total);
  const curves = free.map(pointsOf);
  const reach = curves.reduce((acc, pts) => acc + pts[pts.length - 1]!.count, 0);
  if (reach < target) {
    throw new OptionError(
      `--sparsity ${budget.sparsity} is beyond the cost curves: at their largest ratios (kept layers dense) at most ${formatBelow(reach / total, budget.sparsity)} of the weights are pruned`,
    );
  }
  const survivors = freeTotal - target;
  const groups = free.map((layer, l) => curves[l]!.map((p) => ({ weight: [weightCount(layer) - p.count], cost: p.cost })));
  const solution = solveKnapsack({ groups, capacity: [survivors] }, limits);
  if (solution === undefined) throw new Error('internal error: the prune knapsack found no plan although the curves reach the target');
  const chosen = free.map((_, l) => curves[l]![solution.choice[l]!]!.count);
  const counts = absorbExcess(curves, chosen, chosen.reduce((a, b) => a + b, 0) - target);
  const cost = counts.reduce((acc, k, l) => acc + costAtCount(curves[l]!, k)!, 0);

  const relaxed = free.map((layer, l) => {
    const pts = curves[l]!;
    const n = weightCount(layer);
    const grid = pts.map((p) => ({ weight: [n - p.count, 0], cost: p.cost }));
    const segments = pts.slice(1).map((b, i) => ({ weight: [n - b.count, 1], cost: Math.min(pts[i]!.cost, b.cost) }));
    return [...grid, ...segments];
  });
  const lowerBound = Math.min(cost, knapsackLowerBound({ groups: relaxed, capacity: [survivors, 1] }, limits) ?? cost);

  const allocation = new Map<string, number>(layers.map((l) => [l.name, 0]));
  free.forEach((layer, l) => allocation.set(layer.name, counts[l]!));
  return {
    allocation: { kind: 'prune', counts: allocation },
    bound: {
      cost,
      lowerBound,
      gap: Math.max(0, cost - lowerBound),
      exact: solution.exact,
      slack: { sparsity: solution.slack[0]! / total },
      cells: solution.cells,
    },
  };
}

/**
 * Un-prunes `excess` weights: from the one layer whose interpolated cost drops most (rises least) when it
 * gives them all back (ties: the earlier layer); from several, best cost change per weight first, only when
 * no single layer has that many pruned.
 */
export function absorbExcess(curves: readonly (readonly CountPoint[])[], chosen: readonly number[], excess: number): number[] {
  const counts = [...chosen];
  const change = (l: number, m: number) => costAtCount(curves[l]!, counts[l]! - m)! - costAtCount(curves[l]!, counts[l]!)!;
  let left = excess;
  let single: { l: number; delta: number } | undefined;
  counts.forEach((k, l) => {
    if (left === 0 || k < left) return;
    const delta = change(l, left);
    if (single === undefined || delta < single.delta) single = { l, delta };
  });
  if (single !== undefined) {
    counts[single.l]! -= left;
    return counts;
  }
  while (left > 0) {
    let best: { l: number; m: number; perWeight: number } | undefined;
    counts.forEach((k, l) => {
      if (k === 0) return;
      const m = Math.min(k, left);
      const perWeight = change(l, m) / m;
      if (best === undefined || perWeight < best.perWeight) best = { l, m, perWeight };
    });
    if (best === undefined) throw new Error('internal error: nothing left to un-prune');
    counts[best.l]! -= best.m;
    left -= best.m;
  }
  return counts;
}
