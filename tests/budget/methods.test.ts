/** One describe block per budget method (the registry test checks that each has one), with hand-computed cases. */
import { describe, expect, it } from 'vitest';
import { BUDGET_METHODS, runBudgetMethod, type Allocation, type BudgetLayer, type BudgetRequest, type CostCurves } from '../../src/budget/index.js';
import { hawqCost } from '../../src/budget/methods/hawq-v2.js';
import { lampScores } from '../../src/budget/methods/lamp.js';
import { erkDensity } from '../../src/budget/methods/erk.js';
import { layer } from './helpers.js';

const counts = (a: Allocation) => (a.kind === 'prune' ? Object.fromEntries(a.counts) : {});
const bits = (a: Allocation) => (a.kind === 'quant' ? Object.fromEntries(a.bits) : {});
const decisions = (a: Allocation) => JSON.stringify([...(a.kind === 'quant' ? a.bits : a.kind === 'prune' ? a.counts : a.protected)]);
const protectedOf = (a: Allocation) => (a.kind === 'protect' ? [...a.protected].filter(([, p]) => p).map(([n]) => n) : []);
const weightsOf = (table: Record<string, number[]>) => (l: BudgetLayer) => Float32Array.from(table[l.name]!);

function quantCurves(table: Record<string, Record<number, number>>): CostCurves {
  return new Map(Object.entries(table).map(([name, byBits]) => [name, Object.entries(byBits).map(([b, cost]) => ({ level: Number(b), cost }))]));
}

describe('mckp', () => {
  const layers = [layer('a', 0, [10, 10]), layer('b', 1, [10, 10])];
  const costs = quantCurves({ a: { 2: 10, 3: 5, 4: 1 }, b: { 2: 1, 3: 0.5, 4: 0.1 } });
  it('spends bits where they buy the most: (4, 2) beats (3, 3) and (2, 4) at 3 bits', () => {
    const result = runBudgetMethod(BUDGET_METHODS.mckp, { layers, costs, budget: { kind: 'quant', avgBits: 3, bits: [2, 3, 4] } });
    expect(bits(result.allocation)).toEqual({ a: 4, b: 2 });
    expect(result.predicted).toBe(2);
    expect(result.bound).toMatchObject({ exact: true, gap: 0, cost: 2 });
  });
  it('holds kept layers at float32 and solves the rest', () => {
    const three = [...layers, layer('c', 2, [1, 10])];
    const withC = new Map([...costs, ['c', [{ level: 2, cost: 0 }]]]);
    const result = runBudgetMethod(BUDGET_METHODS.mckp, { layers: three, costs: withC, keep: ['c'], budget: { kind: 'quant', avgBits: 4.4, bits: [2, 3, 4] } });
    // 32·10 + Σ b·100 ≤ 4.4·210 = 924 → Σ b ≤ 6.04: (4, 2).
    expect(bits(result.allocation)).toEqual({ a: 4, b: 2, c: null });
  });
  it('protects the layers whose flips cost most per weight within the overhead', () => {
    const three = [layer('a', 0, [5, 10]), layer('b', 1, [3, 10]), layer('c', 2, [2, 10])];
    const ber = new Map([['a', [{ level: 1e-5, cost: 0.5 }]], ['b', [{ level: 1e-5, cost: 0.3 }]], ['c', [{ level: 1e-5, cost: 0.3 }]]]);
    const result = runBudgetMethod(BUDGET_METHODS.mckp, { layers: three, costs: ber, budget: { kind: 'protect', overhead: 0.5, ber: 1e-5 } });
    // 50 weights allowed: {a} saves 0.5, {b, c} saves 0.6.
    expect(protectedOf(result.allocation)).toEqual(['b', 'c']);
  });
  it('interpolates prune curves to hit the exact count', () => {
    const two = [layer('a', 0, [10, 10]), layer('b', 1, [10, 10])];
    const curves: CostCurves = new Map([
      ['a', [{ level: 0, cost: 0 }, { level: 0.5, cost: 0.1 }, { level: 1, cost: 1 }]],
      ['b', [{ level: 0, cost: 0 }, { level: 0.5, cost: 0.5 }, { level: 1, cost: 2 }]],
    ]);
    const result = runBudgetMethod(BUDGET_METHODS.mckp, { layers: two, costs: curves, budget: { kind: 'prune', sparsity: 0.37 } });
    // K = 74: a at 50 (0.1) and b free in [0, 50] costs 0.01/weight, less than a's 0.018 beyond 50: a 50, b 24.
    expect(counts(result.allocation)).toEqual({ a: 50, b: 24 });
    expect(result.predicted).toBeCloseTo(0.1 + 0.24, 12);
  });
});

describe('hawq-v2', () => {
  it('computes Tr(H)/n · ‖quantc:b(W) − W‖²', () => {
    // quantc:2 of [1, −0.5, 0.25, 0]: s = 1, codes round-half-even → [1, −0, 0, 0]; error² = 0.25 + 0.0625.
    const l = layer('w', 0, [1, 4]);
    expect(hawqCost(l, 2, weightsOf({ w: [1, -0.5, 0.25, 0] }), new Map([['w', 8]]))).toBeCloseTo((8 / 4) * 0.3125, 12);
  });
  it('gives the bits to the layer with the larger trace', () => {
    const layers = [layer('a', 0, [4, 4]), layer('b', 1, [4, 4])];
    const values = Array.from({ length: 16 }, (_, i) => Math.sin(i + 1));
    const result = runBudgetMethod(BUDGET_METHODS['hawq-v2'], {
      layers,
      budget: { kind: 'quant', avgBits: 5, bits: [2, 4, 8] },
      weights: weightsOf({ a: values, b: values }),
      traces: new Map([['a', 1], ['b', 100]]),
    });
    expect(bits(result.allocation)).toEqual({ a: 2, b: 8 });
  });
});

describe('uniform', () => {
  it('quantizes everything at floor(average bits)', () => {
    const layers = [layer('a', 0, [10, 10]), layer('b', 1, [3, 10])];
    expect(bits(runBudgetMethod(BUDGET_METHODS.uniform, { layers, budget: { kind: 'quant', avgBits: 3.7, bits: [2, 3, 4, 8] } }).allocation)).toEqual({ a: 3, b: 3 });
  });
  it('takes the largest bit-width that fits beside float32 kept layers', () => {
    const layers = [layer('a', 0, [1, 10]), layer('b', 1, [9, 10])];
    // 32·10 + b·90 ≤ 6·100 → b ≤ 3.1.
    const result = runBudgetMethod(BUDGET_METHODS.uniform, { layers, keep: ['a'], budget: { kind: 'quant', avgBits: 6, bits: [2, 3, 4, 8] } });
    expect(bits(result.allocation)).toEqual({ a: null, b: 3 });
  });
  it('prunes every layer at the same ratio, the global count exact', () => {
    const layers = [layer('a', 0, [1, 10]), layer('b', 1, [3, 10]), layer('c', 2, [1, 7])];
    // K = floor(0.5·47) = 23: targets 4.89, 14.68, 3.43; floors 4, 14, 3; the two largest remainders get one more.
    expect(counts(runBudgetMethod(BUDGET_METHODS.uniform, { layers, budget: { kind: 'prune', sparsity: 0.5 } }).allocation)).toEqual({ a: 5, b: 15, c: 3 });
  });
});

describe('uniform-plus', () => {
  it('keeps the first layer dense, the last at ≥ 20%, the rest uniform, and the total exact', () => {
    const layers = [layer('first', 0, [4, 4]), layer('middle', 1, [10, 10]), layer('last', 2, [2, 5])];
    // K = floor(0.8·126) = 100: λ = 100/110 would prune 9.09 of the last (cap 8); re-scaled, the middle takes 92.
    const result = runBudgetMethod(BUDGET_METHODS['uniform-plus'], { layers, budget: { kind: 'prune', sparsity: 0.8 } });
    expect(counts(result.allocation)).toEqual({ first: 0, middle: 92, last: 8 });
  });
  it('refuses a sparsity its rule cannot reach', () => {
    const layers = [layer('first', 0, [10, 10]), layer('last', 1, [1, 10])];
    expect(() => runBudgetMethod(BUDGET_METHODS['uniform-plus'], { layers, budget: { kind: 'prune', sparsity: 0.5 } })).toThrow(/uniform-plus keeps the first layer dense/);
  });
});

describe('global-magnitude', () => {
  const req = (layers: BudgetLayer[], table: Record<string, number[]>, sparsity: number): BudgetRequest => ({ layers, weights: weightsOf(table), budget: { kind: 'prune', sparsity } });
  it('prunes the globally smallest |w|', () => {
    const layers = [layer('a', 0, [1, 4]), layer('b', 1, [1, 2])];
    expect(counts(runBudgetMethod(BUDGET_METHODS['global-magnitude'], req(layers, { a: [10, 10, 10, 10], b: [1, 2] }, 2 / 6)).allocation)).toEqual({ a: 0, b: 2 });
  });
  it('breaks ties by layer index, then flat index', () => {
    const table = { a: [1, -1], b: [1, 1] };
    const inOrder = [layer('a', 0, [1, 2]), layer('b', 1, [1, 2])];
    expect(counts(runBudgetMethod(BUDGET_METHODS['global-magnitude'], req(inOrder, table, 0.75)).allocation)).toEqual({ a: 2, b: 1 });
    const reversed = [layer('a', 1, [1, 2]), layer('b', 0, [1, 2])];
    expect(counts(runBudgetMethod(BUDGET_METHODS['global-magnitude'], req(reversed, table, 0.75)).allocation)).toEqual({ a: 1, b: 2 });
  });
});

describe('erk', () => {
  it('scales densities (Σ dims)/(Π dims) to the global sparsity', () => {
    const layers = [layer('a', 0, [4, 4]), layer('b', 1, [2, 8])];
    expect(erkDensity(layers[0]!)).toBe(0.5);
    expect(erkDensity(layers[1]!)).toBe(0.625);
    // 16 survivors: ε = 16/18, survivors a 7.11, b 8.89 → pruned targets 8.89, 7.11 → 9, 7.
    expect(counts(runBudgetMethod(BUDGET_METHODS.erk, { layers, budget: { kind: 'prune', sparsity: 0.5 } }).allocation)).toEqual({ a: 9, b: 7 });
  });
  it('caps a layer at dense and re-scales the rest', () => {
    const layers = [layer('thin', 0, [1, 100]), layer('square', 1, [10, 10])];
    // 160 survivors: ε = 160/121 gives thin a density 1.34 → dense; square keeps the other 60.
    expect(counts(runBudgetMethod(BUDGET_METHODS.erk, { layers, budget: { kind: 'prune', sparsity: 0.2 } }).allocation)).toEqual({ thin: 0, square: 40 });
  });
  it('uses all four dims of a conv kernel', () => {
    expect(erkDensity(layer('conv', 0, [8, 4, 3, 3]))).toBeCloseTo(18 / 288, 15);
  });
});

describe('lamp', () => {
  it('scores w_u² / Σ_{v≥u} w_v² in ascending |w| order', () => {
    // |w| sorted: 0, 1, 2, 3; squares 0, 1, 4, 9; tails 14, 14, 13, 9.
    expect([...lampScores(Float32Array.from([3, -1, 2, 0]))]).toEqual([0, 1 / 14, 4 / 13, 1]);
  });
  it('is 0 on an all-zero tail and non-decreasing with ties', () => {
    expect([...lampScores(Float32Array.from([0, 0]))]).toEqual([0, 0]);
    expect([...lampScores(Float32Array.from([1, 1, 1, 1]))]).toEqual([1 / 4, 1 / 3, 1 / 2, 1]);
  });
  it('prunes by one global threshold on the scores, where magnitude would empty the small layer', () => {
    const layers = [layer('big', 0, [1, 4]), layer('small', 1, [1, 2])];
    const weights = weightsOf({ big: [10, 10, 10, 10], small: [1, 2] });
    // Scores: big 0.25, 0.33, 0.5, 1; small 0.2, 1. The two smallest: small 0.2 and big 0.25.
    const result = runBudgetMethod(BUDGET_METHODS.lamp, { layers, weights, budget: { kind: 'prune', sparsity: 2 / 6 } });
    expect(counts(result.allocation)).toEqual({ big: 1, small: 1 });
  });
});

describe('random', () => {
  const layers = [layer('a', 0, [4, 4]), layer('b', 1, [8, 8]), layer('c', 2, [2, 16]), layer('d', 3, [5, 5])];
  it.each([
    { kind: 'quant', avgBits: 4, bits: [2, 3, 4, 8] },
    { kind: 'prune', sparsity: 0.6 },
    { kind: 'protect', overhead: 0.4, ber: 1e-5 },
  ] as const)('is seeded: the same seed gives the same %s plan, others differ', (budget) => {
    const plan = (seed: number) => decisions(runBudgetMethod(BUDGET_METHODS.random, { layers, budget, seed }).allocation);
    expect(plan(1)).toBe(plan(1));
    expect(new Set([1, 2, 3, 4, 5, 6, 7, 8].map(plan)).size).toBeGreaterThan(1);
  });
});

describe('none', () => {
  it('protects only the kept layers', () => {
    const layers = [layer('a', 0, [4, 4]), layer('b', 1, [8, 8])];
    const result = runBudgetMethod(BUDGET_METHODS.none, { layers, keep: ['a'], budget: { kind: 'protect', overhead: 0.5, ber: 1e-5 } });
    expect(protectedOf(result.allocation)).toEqual(['a']);
  });
});

describe('largest-first', () => {
  const layers = [layer('small', 0, [2, 10]), layer('large', 1, [5, 10]), layer('medium', 2, [3, 10])];
  it.each([
    [0.5, ['large']],
    [0.7, ['small', 'large']],
    [0.8, ['large', 'medium']],
    [0.1, []],
  ])('at overhead %s protects %j (largest first, each that still fits)', (overhead, expected) => {
    const result = runBudgetMethod(BUDGET_METHODS['largest-first'], { layers, budget: { kind: 'protect', overhead, ber: 1e-5 } });
    expect(protectedOf(result.allocation)).toEqual(expected);
  });
});
