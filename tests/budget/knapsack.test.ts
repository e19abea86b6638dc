import { describe, expect, it } from 'vitest';
import { knapsackLowerBound, solveKnapsack, type KnapsackProblem } from '../../src/budget/knapsack.js';
import { bruteForce, createRng, randomInt } from './helpers.js';
import type { Rng } from '../../src/perturb/index.js';

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
