/**
 * The exact pruning allocation: min Σ_l c_l(k_l) s.t. Σ_l k_l = K = floor(s·N), where c_l is the layer's cost
 * curve interpolated linearly in the pruned count k between its measured points (docs/budgets.md).
 *
 * With each layer's segment fixed, the problem is a linear program with one equality over a box, so some
 * optimum has every layer at a measured point except at most one, whose count K − Σ others is then an
 * integer. The solver searches exactly that structure (prune-dp.ts: measured points for all layers but one
 * free layer on a segment, Σ = K), which on unit cells is the exact optimum. On coarser cells the free layer's
 * count is set to K − Σ others (or, rarely, the difference spread by shiftCounts), so Σ k_l = K
 * exactly, and the optimum is bounded from below by the larger of two relaxations: the knapsack in which at
 * most one layer may take any segment at its cheaper end and its fewer survivors (a second dimension of
 * capacity 1), and the linear program over the curves' lower convex hulls (exact for convex curves).
 */
import { OptionError } from '../errors.js';
import type { BudgetSolution } from './bound.js';
import { pruneTarget } from './counts.js';
import { costAtCount, type CountPoint } from './curves.js';
import { knapsackLowerBound, type KnapsackLimits } from './knapsack.js';
import { convexHullLowerBound } from './hull-bound.js';
import { freeLayers, totalWeights, weightCount } from './layers.js';
import { pruneDp } from './prune-dp.js';
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
  const costOf = (counts: readonly number[]) => counts.reduce((acc, k, l) => acc + costAtCount(curves[l]!, k)!, 0);
  const dp = pruneDp(curves, target, limits);
  if (dp === undefined) throw new Error('internal error: the prune DP found no plan although the curves reach the target');
  const counts = exactTotal(curves, dp.counts, target);
  const cost = costOf(counts);

  const lowerBound = dp.exact ? cost : Math.min(cost, relaxedLowerBound(free, curves, survivors, target, limits));

  const allocation = new Map<string, number>(layers.map((l) => [l.name, 0]));
  free.forEach((layer, l) => allocation.set(layer.name, counts[l]!));
  return {
    allocation: { kind: 'prune', counts: allocation },
    bound: {
      cost,
      lowerBound,
      gap: Math.max(0, cost - lowerBound),
      exact: dp.exact,
      slack: {},
      cells: dp.cells,
    },
  };
}

/** The larger of the two relaxations' optima (file comment), each ≤ the exact optimum. */
function relaxedLowerBound(
  free: readonly BudgetLayer[],
  curves: readonly (readonly CountPoint[])[],
  survivors: number,
  target: number,
  limits: KnapsackLimits,
): number {
  const groups = free.map((layer, l) => {
    const pts = curves[l]!;
    const n = weightCount(layer);
    const grid = pts.map((p) => ({ weight: [n - p.count, 0], cost: p.cost }));
    const segments = pts.slice(1).map((b, i) => ({ weight: [n - b.count, 1], cost: Math.min(pts[i]!.cost, b.cost) }));
    return [...grid, ...segments];
  });
  const oneSegment = knapsackLowerBound({ groups, capacity: [survivors, 1] }, limits) ?? -Infinity;
  return Math.max(oneSegment, convexHullLowerBound(curves, target) ?? -Infinity);
}

/**
 * Counts with Σ = target: the DP's counts when they already sum to it; otherwise each clamped to its curve and
 * the difference moved along the curves by shiftCounts.
 */
function exactTotal(curves: readonly (readonly CountPoint[])[], counts: readonly number[], target: number): number[] {
  const clamped = counts.map((k, l) => Math.min(curves[l]![curves[l]!.length - 1]!.count, Math.max(0, k)));
  const fixed = shiftCounts(curves, clamped, target - clamped.reduce((a, b) => a + b, 0));
  if (fixed === undefined) throw new Error('internal error: the prune curves cannot reach the target');
  return fixed;
}

/**
 * Prunes `delta` more weights (un-prunes −delta) along the interpolated curves: all of it in the one layer
 * whose cost changes least (ties: the earlier layer); if no single layer has room, in several, best change
 * per weight first. Undefined if the curves run out.
 */
export function shiftCounts(curves: readonly (readonly CountPoint[])[], chosen: readonly number[], delta: number): number[] | undefined {
  const counts = [...chosen];
  const sign = Math.sign(delta);
  const room = (l: number) => (sign > 0 ? curves[l]![curves[l]!.length - 1]!.count - counts[l]! : counts[l]!);
  const change = (l: number, m: number) => costAtCount(curves[l]!, counts[l]! + sign * m)! - costAtCount(curves[l]!, counts[l]!)!;
  let left = Math.abs(delta);
  let single: { l: number; change: number } | undefined;
  counts.forEach((_, l) => {
    if (left === 0 || room(l) < left) return;
    const c = change(l, left);
    if (single === undefined || c < single.change) single = { l, change: c };
  });
  if (single !== undefined) {
    counts[single.l]! += sign * left;
    return counts;
  }
  while (left > 0) {
    let best: { l: number; m: number; perWeight: number } | undefined;
    counts.forEach((_, l) => {
      if (room(l) === 0) return;
      const m = Math.min(room(l), left);
      const perWeight = change(l, m) / m;
      if (best === undefined || perWeight < best.perWeight) best = { l, m, perWeight };
    });
    if (best === undefined) return undefined;
    counts[best.l]! += sign * best.m;
    left -= best.m;
  }
  return counts;
}
