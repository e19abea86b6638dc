/** The exact solvers against brute force: the knapsack DP (1-D, 2-D, exact and rounded grids), and mckp on whole quant, prune and protect problems. */
import { describe, expect, it } from 'vitest';
import { knapsackLowerBound, solveKnapsack, type KnapsackProblem } from '../../src/budget/knapsack.js';
import { BUDGET_METHODS, runBudgetMethod, totalWeights, weightCount, type BudgetLayer, type CostCurves, type QuantBudget } from '../../src/budget/index.js';
import { costAtCount, countCurve } from '../../src/budget/curves.js';
import type { Rng } from '../../src/perturb/index.js';
import { bruteForce, createRng, layer, randomInt } from './helpers.js';

function randomProblem(rng: Rng, dims: number, integral: boolean): KnapsackProblem {
  const groups = Array.from({ length: randomInt(rng, 1, 6) }, () =>
    Array.from({ length: randomInt(rng, 1, 4) }, () => ({
      weight: Array.from({ length: dims }, () => (integral ? randomInt(rng, 0, 40) : rng.nextFloat() * 40)),
      cost: rng.nextFloat() * 10 - 2,
    })),
  );
  // Feasible by construction: the capacity holds one random choice, with some room to spare.
  const pick = groups.map((g) => g[randomInt(rng, 0, g.length - 1)]!);
  return { groups, capacity: Array.from({ length: dims }, (_, k) => pick.reduce((acc, o) => acc + o.weight[k]!, 0) + rng.nextFloat() * 20) };
}

const EPS = 1e-9;

describe('solveKnapsack', () => {
  it.each([1, 2])('finds the exact optimum on exact integer grids (%i-D), against brute force', (dims) => {
    const rng = createRng(dims);
    for (let t = 0; t < 150; t++) {
      const problem = randomProblem(rng, dims, true);
      const best = bruteForce(problem)!;
      const solution = solveKnapsack(problem);
      expect(Number.isFinite(best)).toBe(true);
      expect(solution?.exact).toBe(true);
      expect(solution!.cost).toBeCloseTo(best, 9);
      expect(solution!.lowerBound).toBeCloseTo(best, 9);
      solution!.weight.forEach((w, k) => expect(w).toBeLessThanOrEqual(problem.capacity[k]!));
    }
  });

  it.each([
    [1, true],
    [1, false],
    [2, true],
    [2, false],
  ])('holds its discretization bound on coarse grids (%i-D, integral %s)', (dims, integral) => {
    const rng = createRng(10 + dims + Number(integral));
    let rounded = 0;
    for (let t = 0; t < 150; t++) {
      const problem = randomProblem(rng, dims, integral);
      // A tiny grid forces rounding: at most 16 cells per dimension.
      const limits = { maxOperations: 1e9, maxCells: 16 ** dims };
      const best = bruteForce(problem);
      const solution = solveKnapsack(problem, limits);
      if (solution === undefined) {
        // Only two dimensions can lose every plan to rounding up (one dimension always keeps its lightest options).
        expect(dims).toBe(2);
        continue;
      }
      expect(best).toBeDefined();
      if (!solution.exact) rounded++;
      solution.weight.forEach((w, k) => expect(w).toBeLessThanOrEqual(problem.capacity[k]! + EPS));
      // The a-posteriori bound: optimum ∈ [lowerBound, cost].
      expect(solution.lowerBound).toBeLessThanOrEqual(best! + EPS);
      expect(solution.cost).toBeGreaterThanOrEqual(best! - EPS);
      // The a-priori bound: cost ≤ optimum at the capacity tightened by the slack.
      const tightened = bruteForce(problem, problem.capacity.map((c, k) => c - solution.slack[k]!));
      if (tightened !== undefined) expect(solution.cost).toBeLessThanOrEqual(tightened + EPS);
      expect(knapsackLowerBound(problem, limits)).toBeCloseTo(solution.lowerBound, 9);
    }
    expect(rounded).toBeGreaterThan(40);
  });

  it('keeps the first of equally good options', () => {
    const solution = solveKnapsack({ groups: [[{ weight: [2], cost: 1 }, { weight: [1], cost: 1 }]], capacity: [5] });
    expect(solution?.choice).toEqual([0]);
  });

  it('returns undefined when even the lightest options exceed the capacity', () => {
    expect(solveKnapsack({ groups: [[{ weight: [3], cost: 0 }]], capacity: [2] })).toBeUndefined();
  });

  it('solves an empty problem at no cost', () => {
    expect(solveKnapsack({ groups: [], capacity: [0] })).toMatchObject({ choice: [], cost: 0, lowerBound: 0 });
  });
});

const BITS = [2, 3, 4, 6, 8];
const COARSE = { maxOperations: 1e9, maxCells: 24 };

function* assignments<T>(choices: readonly (readonly T[])[]): Generator<T[]> {
  if (choices.length === 0) {
    yield [];
    return;
  }
  for (const head of choices[0]!) for (const rest of assignments(choices.slice(1))) yield [head, ...rest];
}

function quantOptimum(layers: readonly BudgetLayer[], costs: CostCurves, budget: QuantBudget): number | undefined {
  const total = totalWeights(layers);
  let best: number | undefined;
  for (const bits of assignments(layers.map(() => budget.bits))) {
    const sum = bits.reduce((acc, b, i) => acc + b * weightCount(layers[i]!), 0);
    const bops = bits.reduce((acc, b, i) => acc + b * layers[i]!.flops!, 0);
    if (sum > budget.avgBits * total || (budget.bops !== undefined && bops > budget.bops)) continue;
    const cost = bits.reduce((acc, b, i) => acc + costs.get(layers[i]!.name)!.find((p) => p.level === b)!.cost, 0);
    if (best === undefined || cost < best) best = cost;
  }
  return best;
}

function randomQuant(seed: number, withBops: boolean) {
  const rng = createRng(seed);
  // Small enough that the 2-D (bits × BOPs) grid is exact within the default cell limit.
  const size = withBops ? 5 : 9;
  const layers = Array.from({ length: randomInt(rng, 1, 4) }, (_, i) =>
    layer(`l${i}`, i, [randomInt(rng, 1, size), randomInt(rng, 1, size)], randomInt(rng, 1, withBops ? 40 : 500)),
  );
  // Non-monotone costs too: the solver must not assume more bits is better.
  const costs: CostCurves = new Map(layers.map((l) => [l.name, BITS.map((b) => ({ level: b, cost: rng.nextFloat() * 2 ** (4 - b) }))]));
  const total = totalWeights(layers);
  const budget: QuantBudget = {
    kind: 'quant',
    avgBits: 2 + rng.nextFloat() * 6,
    bits: BITS,
    bops: withBops ? layers.reduce((acc, l) => acc + l.flops!, 0) * (2 + rng.nextFloat() * 6) : undefined,
  };
  return { layers, costs, budget, total };
}

describe('mckp on quant budgets', () => {
  it.each([false, true])('matches brute force on exact grids, and holds its bounds on coarse ones (BOPs %s)', (withBops) => {
    let coarseRounded = 0;
    for (let seed = 0; seed < 80; seed++) {
      const { layers, costs, budget, total } = randomQuant(seed + (withBops ? 1000 : 0), withBops);
      const best = quantOptimum(layers, costs, budget)!;
      const exact = runBudgetMethod(BUDGET_METHODS.mckp, { layers, budget, costs });
      expect(exact.bound?.exact).toBe(true);
      expect(exact.bound?.gap).toBe(0);
      expect(exact.predicted).toBeCloseTo(best, 9);

      const coarse = runBudgetMethod(BUDGET_METHODS.mckp, { layers, budget, costs, limits: COARSE });
      const bound = coarse.bound!;
      if (!bound.exact) coarseRounded++;
      expect(bound.lowerBound).toBeLessThanOrEqual(best + EPS);
      expect(bound.cost).toBeGreaterThanOrEqual(best - EPS);
      expect(bound.cost).toBeCloseTo(coarse.predicted!, 9);
      const tightened = {
        ...budget,
        avgBits: budget.avgBits - bound.slack.avg_bits!,
        bops: budget.bops === undefined ? undefined : budget.bops - bound.slack.bops!,
      };
      const tightBest = quantOptimum(layers, costs, tightened);
      if (tightBest !== undefined) expect(bound.cost).toBeLessThanOrEqual(tightBest + EPS);
      expect(total).toBeGreaterThan(0);
    }
    expect(coarseRounded).toBeGreaterThan(25);
  });
});

describe('mckp on prune budgets', () => {
  it('prunes exactly floor(s·N) at the optimum of the interpolated curves (exact cells), within its bracket on coarse cells', () => {
    let coarseRounded = 0;
    for (let seed = 0; seed < 150; seed++) {
      const rng = createRng(seed);
      const layers = Array.from({ length: randomInt(rng, 1, 3) }, (_, i) => layer(`l${i}`, i, [randomInt(rng, 1, 3), randomInt(rng, 1, 5)]));
      const ratios = [0, 0.25, 0.5, 0.75, 1];
      // Convex and non-convex curves alike.
      const costs: CostCurves = new Map(layers.map((l) => [l.name, ratios.map((r) => ({ level: r, cost: r === 0 ? 0 : rng.nextFloat() * r * 3 }))]));
      const sparsity = Number(rng.nextFloat().toFixed(2));
      const target = Math.floor(sparsity * totalWeights(layers));
      const curves = layers.map((l) => countCurve(costs, l));
      let best = Infinity;
      for (const counts of assignments(layers.map((l) => Array.from({ length: weightCount(l) + 1 }, (_, k) => k)))) {
        if (counts.reduce((a, b) => a + b, 0) !== target) continue;
        best = Math.min(best, counts.reduce((acc, k, i) => acc + costAtCount(curves[i]!, k)!, 0));
      }
      const budget = { kind: 'prune', sparsity } as const;
      const exact = runBudgetMethod(BUDGET_METHODS.mckp, { layers, budget, costs });
      const coarse = runBudgetMethod(BUDGET_METHODS.mckp, { layers, budget, costs, limits: { maxOperations: 3 * 15 * 4, maxCells: 4 } });
      for (const result of [exact, coarse]) {
        if (result.allocation.kind !== 'prune') throw new Error('kind');
        expect([...result.allocation.counts.values()].reduce((a, b) => a + b, 0)).toBe(target);
        expect(result.bound!.lowerBound).toBeLessThanOrEqual(best + EPS);
        expect(result.bound!.cost).toBeGreaterThanOrEqual(best - EPS);
        expect(result.bound!.cost).toBeCloseTo(result.predicted!, 12);
      }
      expect(exact.bound).toMatchObject({ exact: true, gap: 0 });
      expect(exact.bound!.cost).toBeCloseTo(best, 12);
      if (!coarse.bound!.exact) coarseRounded++;
    }
    expect(coarseRounded).toBeGreaterThan(50);
  });
});

describe('mckp on protect budgets', () => {
  it('matches brute force over subsets', () => {
    for (let seed = 0; seed < 150; seed++) {
      const rng = createRng(seed);
      const layers = Array.from({ length: randomInt(rng, 1, 6) }, (_, i) => layer(`l${i}`, i, [randomInt(rng, 1, 10), randomInt(rng, 1, 10)]));
      const costs: CostCurves = new Map(layers.map((l) => [l.name, [{ level: 1e-5, cost: rng.nextFloat() }]]));
      const overhead = rng.nextFloat();
      const total = totalWeights(layers);
      let best = Infinity;
      for (const chosen of assignments(layers.map(() => [true, false]))) {
        const weights = chosen.reduce((acc, p, i) => acc + (p ? weightCount(layers[i]!) : 0), 0);
        if (weights > overhead * total) continue;
        best = Math.min(best, chosen.reduce((acc, p, i) => acc + (p ? 0 : costs.get(layers[i]!.name)![0]!.cost), 0));
      }
      const result = runBudgetMethod(BUDGET_METHODS.mckp, { layers, budget: { kind: 'protect', overhead, ber: 1e-5 }, costs });
      expect(result.predicted).toBeCloseTo(best, 9);
      expect(result.bound?.gap).toBe(0);
    }
  });
});
