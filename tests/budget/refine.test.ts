/** Refinement on synthetic non-additive oracles: converges, stays within K evaluations, never worse than a candidate. */
import { describe, expect, it } from 'vitest';
import {
  additivityRatio, BUDGET_METHODS, layerCosts, refineBudget, runBudgetMethod, totalWeights, weightCount,
  type Allocation, type CostCurves, type QuantBudget,
} from '../../src/budget/index.js';
import { createRng, layer, randomInt } from './helpers.js';

const BITS = [2, 3, 4, 6, 8];

/**
 * Five layers with single-layer curves c_l(b) = s_l·2^(−1.3(b−2)); the joint cost of a plan is
 * Σ_l β_l·c_l(b_l) + interaction·(Σ_l c_l(b_l))², with hidden per-layer factors β_l ∈ [0.3, 3].
 */
function setup(seed: number, interaction: number) {
  const rng = createRng(seed);
  const layers = Array.from({ length: 5 }, (_, i) => layer(`l${i}`, i, [randomInt(rng, 4, 16), randomInt(rng, 4, 16)]));
  const costs: CostCurves = new Map(layers.map((l) => {
    const scale = 0.02 + 0.1 * rng.nextFloat();
    return [l.name, BITS.map((b) => ({ level: b, cost: scale * 2 ** (-1.3 * (b - 2)) }))];
  }));
  const hidden = new Map(layers.map((l) => [l.name, 0.3 + 2.7 * rng.nextFloat()]));
  const budget: QuantBudget = { kind: 'quant', avgBits: 3.5, bits: BITS };
  const oracle = (allocation: Allocation): number => {
    let weighted = 0;
    let sum = 0;
    for (const [name, c] of layerCosts(layers, allocation, budget, costs)!) {
      weighted += hidden.get(name)! * c;
      sum += c;
    }
    return weighted + interaction * sum * sum;
  };
  let calls = 0;
  const measure = async (allocation: Allocation) => {
    calls++;
    return oracle(allocation);
  };
  return { request: { layers, costs, budget }, oracle, measure, calls: () => calls };
}

/** The oracle's optimum over every plan within the budget. */
function bruteForceOptimum({ request, oracle }: ReturnType<typeof setup>): number {
  const { layers, budget } = request;
  const limit = budget.avgBits * totalWeights(layers);
  let best = Infinity;
  const visit = (i: number, bits: number[], used: number): void => {
    if (used > limit) return;
    if (i === layers.length) {
      best = Math.min(best, oracle({ kind: 'quant', bits: new Map(layers.map((l, j) => [l.name, bits[j]!])) }));
      return;
    }
    for (const b of BITS) visit(i + 1, [...bits, b], used + b * weightCount(layers[i]!));
  };
  visit(0, [], 0);
  return best;
}

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('refineBudget', () => {
  it.each(SEEDS)('converges within K evaluations on a superadditive oracle to its optimum, never worse than a candidate (seed %i)', async (seed) => {
    const s = setup(seed, 0.3);
    const candidates = (['uniform', 'random'] as const).map((id) => ({ label: id, plan: runBudgetMethod(BUDGET_METHODS[id], s.request).allocation }));
    const K = 12;
    const result = await refineBudget(s.request, s.measure, { candidates, maxEvaluations: K });
    expect(result.converged).toBe(true);
    expect(result.evaluations).toBe(s.calls());
    expect(result.evaluations).toBeLessThanOrEqual(K);
    expect(result.best.measured).toBe(Math.min(...result.history.map((step) => step.measured)));
    for (const c of candidates) expect(result.best.measured).toBeLessThanOrEqual(s.oracle(c.plan));
    expect(result.history[0]).toMatchObject({ label: 'solver', evaluated: true });
    expect(result.best.measured).toBeLessThanOrEqual(result.history[0]!.measured);
    // The additive prediction of the first plan misses: the joint cost is not the sum of the single-layer costs.
    expect(additivityRatio(result.history[0]!.measured, [result.history[0]!.additive!])).toBeGreaterThan(1.2);
    // And yet the search ends on the oracle's optimum (brute force over every plan within the budget).
    expect(result.best.measured).toBeCloseTo(bruteForceOptimum(s), 12);
  });

  it('finds the optimum of miscalibrated curves that the additive plan misses', async () => {
    let optimal = 0;
    let improvable = 0;
    for (const seed of SEEDS) {
      const s = setup(seed, 0);
      const optimum = bruteForceOptimum(s);
      const result = await refineBudget(s.request, s.measure, { maxEvaluations: 12, relativeTolerance: 0.01, absoluteTolerance: 0 });
      expect(result.best.measured).toBeGreaterThanOrEqual(optimum - 1e-12);
      if (result.history[0]!.measured > optimum + 1e-12) improvable++;
      if (result.best.measured <= optimum + 1e-12) optimal++;
    }
    expect(improvable).toBeGreaterThanOrEqual(4);
    expect(optimal).toBe(SEEDS.length);
  });

  it('spends no evaluation on a measured candidate, and returns it when it beats everything', async () => {
    const s = setup(7, 0.5);
    const uniform = runBudgetMethod(BUDGET_METHODS.uniform, s.request).allocation;
    const result = await refineBudget(s.request, s.measure, { candidates: [{ label: 'uniform', plan: uniform, measured: -1 }], maxEvaluations: 4 });
    expect(result.best).toMatchObject({ label: 'uniform', evaluated: false, measured: -1 });
    expect(result.evaluations).toBe(s.calls());
    expect(result.evaluations).toBeLessThanOrEqual(4);
  });

  it('stops after one evaluation when the additive prediction already agrees', async () => {
    const s = setup(8, 0);
    const additive = async (a: Allocation) => [...layerCosts(s.request.layers, a, s.request.budget, s.request.costs)!.values()].reduce((x, y) => x + y, 0);
    expect(await refineBudget(s.request, additive, { maxEvaluations: 10 })).toMatchObject({ evaluations: 1, converged: true });
  });

  it('stops at K = 1', async () => {
    const s = setup(3, 0.5);
    expect(await refineBudget(s.request, s.measure, { maxEvaluations: 1 })).toMatchObject({ evaluations: 1, converged: false });
  });
});

describe('additivityRatio', () => {
  it('divides the joint drop by the sum of single-layer drops', () => {
    expect(additivityRatio(0.06, [0.01, 0.02])).toBeCloseTo(2, 12);
    expect(additivityRatio(0.01, [0, 0])).toBeNull();
  });
});
