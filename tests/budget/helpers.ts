/** Shared fixtures of the budget tests: seeded random layers, weights and cost curves, and brute force. */
import { createRng, type Rng } from '../../src/perturb/index.js';
import type { KnapsackProblem } from '../../src/budget/knapsack.js';
import type { BudgetLayer, CostCurves } from '../../src/budget/types.js';

export { createRng };

/** A layer with the given weight shape (Gemm-like [out, in] by default). */
export function layer(name: string, index: number, shape: readonly number[], flops: number | null = 2 * shape.reduce((a, b) => a * b, 1)): BudgetLayer {
  return { name, index, shape, channelAxis: 0, flops };
}

export function randomInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.nextFloat() * (hi - lo + 1));
}

/** 1..maxLayers layers of random Conv or Gemm shapes. */
export function randomLayers(rng: Rng, maxLayers = 6): BudgetLayer[] {
  const count = randomInt(rng, 1, maxLayers);
  return Array.from({ length: count }, (_, i) =>
    rng.nextFloat() < 0.5
      ? layer(`conv${i}.weight`, i, [randomInt(rng, 1, 8), randomInt(rng, 1, 6), 3, 3])
      : layer(`fc${i}.weight`, i, [randomInt(rng, 1, 20), randomInt(rng, 1, 30)]),
  );
}

/** Weights ~ N(0, 1) rounded to a coarse grid (so that ties happen), per layer, fixed per seed. */
export function randomWeights(layers: readonly BudgetLayer[], rng: Rng, grid = 0.05): Map<string, Float32Array> {
  return new Map(
    layers.map((l) => [l.name, Float32Array.from({ length: l.shape.reduce((a, b) => a * b, 1) }, () => Math.round(rng.normal() / grid) * grid)]),
  );
}

/** Decreasing-in-bits quant curves, increasing-in-ratio prune curves, one point per BER for protect. */
export function randomCurves(layers: readonly BudgetLayer[], rng: Rng, kind: 'quant' | 'prune' | 'protect', levels: readonly number[]): CostCurves {
  return new Map(
    layers.map((l) => {
      const scale = rng.nextFloat();
      if (kind === 'quant') return [l.name, levels.map((b) => ({ level: b, cost: scale * 2 ** -b + 0.001 * rng.nextFloat() }))];
      if (kind === 'prune') return [l.name, levels.map((r) => ({ level: r, cost: scale * r ** 3 + (r > 0 ? 0.01 * rng.nextFloat() : 0) }))];
      return [l.name, levels.map((p) => ({ level: p, cost: scale }))];
    }),
  );
}

/** The exact optimum by enumeration, or undefined if infeasible. */
export function bruteForce(problem: KnapsackProblem, capacity = problem.capacity): number | undefined {
  let best: number | undefined;
  const visit = (l: number, used: number[], cost: number): void => {
    if (used.some((u, k) => u > capacity[k]! + 1e-9)) return;
    if (l === problem.groups.length) {
      if (best === undefined || cost < best) best = cost;
      return;
    }
    for (const option of problem.groups[l]!) visit(l + 1, used.map((u, k) => u + option.weight[k]!), cost + option.cost);
  };
  visit(0, problem.capacity.map(() => 0), 0);
  return best;
}
