/**
 * Budgets: every method's plan respects its budget exactly (random layer sets, a single layer, equal scores, keep
 * sets); exact counts and the ratios that give them; budgets that cannot be met; the curve grids.
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import {
  averageBits, bitOps, BUDGET_DEFAULTS, BUDGET_METHODS, BudgetInputError, budgetGrid, budgetMethodsFor, buildPlan, curvePlans,
  protectionOverhead, prunedCount, prunedWeights, pruneTarget, ratioForCount, runBudgetMethod, totalWeights, weightCount,
  type AnyBudgetMethod, type Budget, type BudgetKind, type BudgetLayer, type BudgetRequest,
} from '../../src/budget/index.js';
import { distributeCounts } from '../../src/budget/counts.js';
import { shiftCounts } from '../../src/budget/solve-prune.js';
import { uniformPlusCap } from '../../src/budget/methods/uniform-plus.js';
import { formatAbove, formatBelow } from '../../src/budget/validate.js';
import { prune } from '../../src/perturb/prune.js';
import type { Rng } from '../../src/perturb/index.js';
import { createRng, layer, randomCurves, randomInt, randomLayers, randomWeights } from './helpers.js';

const PRUNE_LEVELS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
const MODEL = { path: 'm.onnx', sha256: '0'.repeat(64) };

type Scenario = 'random' | 'single layer' | 'equal scores';

function randomBudget(kind: BudgetKind, layers: readonly BudgetLayer[], keep: ReadonlySet<string>, rng: Rng): Budget {
  const total = totalWeights(layers);
  const kept = totalWeights(layers.filter((l) => keep.has(l.name)));
  const tight = rng.nextFloat() < 0.15;
  switch (kind) {
    case 'quant': {
      const least = (2 * (total - kept) + 32 * kept) / total;
      const avgBits = tight ? least : least + rng.nextFloat() * 6;
      const leastBops = layers.reduce((acc, l) => acc + (keep.has(l.name) ? 32 : 2) * l.flops!, 0);
      return { kind, avgBits, bits: BUDGET_DEFAULTS.quantBits, bops: rng.nextFloat() < 0.5 ? leastBops * (1 + rng.nextFloat() * 2) : undefined };
    }
    case 'prune':
      return { kind, sparsity: tight ? 0 : Number((rng.nextFloat() * 0.9 * ((total - kept) / total)).toFixed(3)) };
    case 'protect':
      return { kind, overhead: tight ? kept / total : kept / total + rng.nextFloat() * (1 - kept / total), ber: 1e-5 };
  }
}

function request(kind: BudgetKind, scenario: Scenario, rng: Rng): BudgetRequest {
  let layers = randomLayers(rng, scenario === 'single layer' ? 1 : 6);
  if (scenario === 'single layer') layers = layers.slice(0, 1);
  const keep = new Set(layers.filter((_, i) => i > 0 && rng.nextFloat() < 0.25).map((l) => l.name));
  const weights = randomWeights(layers, rng);
  if (scenario === 'equal scores') for (const w of weights.values()) w.fill(0.5);
  const levels = kind === 'quant' ? BUDGET_DEFAULTS.quantBits : kind === 'prune' ? PRUNE_LEVELS : [1e-5];
  let costs = randomCurves(layers, rng, kind, levels);
  if (scenario === 'equal scores') costs = new Map(layers.map((l) => [l.name, costs.get(layers[0]!.name)!]));
  return {
    layers,
    budget: randomBudget(kind, layers, keep, rng),
    keep,
    seed: Math.floor(rng.nextFloat() * 1000),
    costs,
    weights: (l) => weights.get(l.name)!,
    traces: new Map(layers.map((l) => [l.name, scenario === 'equal scores' ? 1 : rng.nextFloat() * 10])),
    // A small DP, so that the rounded (inexact) grids are exercised too.
    limits: { maxOperations: 200_000, maxCells: 1 << 16 },
  };
}

/** A method may refuse a budget only when its own rule makes it impossible. */
function legitimatelyImpossible(method: AnyBudgetMethod, req: BudgetRequest): boolean {
  if (req.budget.kind !== 'prune') return false;
  const free = req.layers.filter((l) => !new Set(req.keep).has(l.name));
  const target = pruneTarget(req.budget.sparsity, totalWeights(req.layers));
  if (method.id === 'uniform-plus') return free.reduce((acc, l) => acc + uniformPlusCap(req.layers, l), 0) < target;
  if (method.id === 'mckp') return free.reduce((acc, l) => acc + Math.floor(0.95 * weightCount(l)), 0) < target;
  return false;
}

/** Checks the plan with the budget functions, through its plan.json form (ratios re-floored). */
function expectWithinBudget(req: BudgetRequest, method: AnyBudgetMethod): boolean {
  let result;
  try {
    result = runBudgetMethod(method, req);
  } catch (e) {
    if (e instanceof OptionError && legitimatelyImpossible(method, req)) return false;
    throw e;
  }
  const { layers, budget } = req;
  const keep = new Set(req.keep);
  const plan = buildPlan(layers, budget, result.allocation, { method: method.id, model: MODEL, source: 'test' });
  const label = `${method.id} on ${layers.length} layers, budget ${JSON.stringify(budget)}, keep ${[...keep].join(',')}`;
  if (plan.kind === 'quant' && budget.kind === 'quant') {
    const bits = new Map(Object.entries(plan.layers));
    expect(averageBits(layers, bits) * totalWeights(layers), label).toBeLessThanOrEqual(budget.avgBits * totalWeights(layers));
    if (budget.bops !== undefined) expect(bitOps(layers, bits), label).toBeLessThanOrEqual(budget.bops);
    for (const l of layers) expect(bits.get(l.name) === null, label).toBe(keep.has(l.name));
  } else if (plan.kind === 'prune' && budget.kind === 'prune') {
    const ratios = new Map(Object.entries(plan.layers));
    expect(prunedWeights(layers, ratios), label).toBe(pruneTarget(budget.sparsity, totalWeights(layers)));
    for (const name of keep) expect(ratios.get(name), label).toBe(0);
  } else if (plan.kind === 'protect' && budget.kind === 'protect') {
    const protect = new Map(Object.entries(plan.layers));
    expect(protectionOverhead(layers, protect), label).toBeLessThanOrEqual(budget.overhead);
    for (const name of keep) expect(protect.get(name), label).toBe(true);
  } else {
    throw new Error('kind mismatch');
  }
  return true;
}

describe('every plan respects its budget exactly', () => {
  const kinds: BudgetKind[] = ['quant', 'prune', 'protect'];
  const scenarios: Scenario[] = ['random', 'single layer', 'equal scores'];
  for (const kind of kinds) {
    for (const scenario of scenarios) {
      it.each(budgetMethodsFor(kind).map((m) => [m.id, m] as const))(`${kind}, ${scenario}: %s`, (_, method) => {
        const rng = createRng(kinds.indexOf(kind) * 100 + scenarios.indexOf(scenario) * 10 + method.id.length);
        let planned = 0;
        for (let t = 0; t < 16; t++) planned += Number(expectWithinBudget(request(kind, scenario, rng), method));
        // uniform+ keeps a single layer dense (it is the first layer), so it plans only sparsity 0 there.
        expect(planned).toBeGreaterThanOrEqual(method.id === 'uniform-plus' && scenario === 'single layer' ? 1 : 8);
      });
    }
  }
});

describe('ratioForCount', () => {
  it('gives the short decimal when it floors back, and a nearby one when the float product falls short', () => {
    expect(ratioForCount(56, 100)).toBe(0.56);
    expect(Math.floor(0.57 * 100)).toBe(56);
    expect(ratioForCount(57, 100)).toBe(0.575);
    expect(ratioForCount(0, 7)).toBe(0);
    expect(ratioForCount(7, 7)).toBe(1);
  });

  it('floors back to k for every k of many n, and prune:r zeroes exactly k weights', () => {
    const rng = createRng(3);
    for (let t = 0; t < 300; t++) {
      const n = randomInt(rng, 1, t < 60 ? 200 : 5_000_000);
      const k = randomInt(rng, 0, n);
      const r = ratioForCount(k, n);
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1);
      expect(prunedCount(r, n), `${k}/${n} → ${r}`).toBe(k);
      if (n <= 200) {
        const w = Float32Array.from({ length: n }, () => 1 + rng.nextFloat());
        expect(prune(w, r).filter((x) => x === 0).length).toBe(k);
      }
    }
  });
});

describe('distributeCounts', () => {
  it('rounds to the exact total, within one of each target, by largest remainder', () => {
    expect(distributeCounts([1.5, 1.5, 1], [10, 10, 10], 4)).toEqual([2, 1, 1]);
    expect(distributeCounts([0.2, 0.9, 2.9], [5, 5, 5], 4)).toEqual([0, 1, 3]);
  });
  it('respects caps and fills elsewhere', () => {
    expect(distributeCounts([5, 1], [3, 10], 6)).toEqual([3, 3]);
    expect(distributeCounts([5, 5], [3, 3], 7)).toBeUndefined();
  });
});

const layers = [layer('conv1.weight', 0, [10, 10]), layer('fc.weight', 1, [5, 20], null)];
const quantCosts = new Map(layers.map((l) => [l.name, [2, 3, 4, 8].map((b) => ({ level: b, cost: 1 / b }))]));

function errorOf(method: keyof typeof BUDGET_METHODS, req: BudgetRequest): Error {
  try {
    runBudgetMethod(BUDGET_METHODS[method], req);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).not.toContain('\n');
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('budget errors', () => {
  it('names the smallest option when the average-bits budget is below it', () => {
    const e = errorOf('uniform', { layers, budget: { kind: 'quant', avgBits: 1.5, bits: [2, 3, 4, 5, 6, 8] } });
    expect(e).toBeInstanceOf(OptionError);
    expect(e.message).toBe('--avg-bits 1.5 is below the smallest option, 2 bits everywhere = 2.00 average');
  });

  it('counts the kept layers at 32 bits in that message', () => {
    const e = errorOf('mckp', { layers, costs: quantCosts, keep: ['conv1.weight'], budget: { kind: 'quant', avgBits: 16, bits: [2, 4] } });
    expect(e.message).toBe('--avg-bits 16 is below the smallest option, 2 bits everywhere with the 1 kept layer at 32 bits = 17.00 average');
  });

  it('shows enough digits to make the gap visible', () => {
    expect(formatAbove(2, 1.5)).toBe('2.00');
    expect(formatAbove(2.004, 2)).toBe('2.004');
    expect(formatBelow(0.7999, 0.8)).toBe('0.7999');
  });

  it('refuses a BOPs budget without FLOPs, and one below the smallest option', () => {
    expect(errorOf('mckp', { layers, costs: quantCosts, budget: { kind: 'quant', avgBits: 4, bits: [2, 4], bops: 1e6 } }).message).toBe(
      '--bops needs the FLOPs of every layer; layer "fc.weight" has unknown FLOPs',
    );
    const withFlops = [layer('a', 0, [10, 10], 100), layer('b', 1, [10, 10], 300)];
    expect(errorOf('uniform', { layers: withFlops, budget: { kind: 'quant', avgBits: 4, bits: [2, 4], bops: 500 } }).message).toBe(
      '--bops 500 is below the smallest option, 2 bits everywhere = 800.00 BOPs',
    );
  });

  it('refuses a sparsity the kept layers make impossible', () => {
    const e = errorOf('uniform', { layers, keep: ['conv1.weight'], budget: { kind: 'prune', sparsity: 0.6 } });
    expect(e.message).toBe('--sparsity 0.6 is impossible with the kept layers dense: at most 0.50 of the weights can be pruned');
  });

  it('refuses a sparsity beyond the cost curves', () => {
    const costs = new Map(layers.map((l) => [l.name, [0.5, 0.7].map((r) => ({ level: r, cost: r }))]));
    expect(errorOf('mckp', { layers, costs, budget: { kind: 'prune', sparsity: 0.8 } }).message).toBe(
      '--sparsity 0.8 is beyond the cost curves: at their largest ratios (kept layers dense) at most 0.70 of the weights are pruned',
    );
  });

  it('refuses an overhead below what the kept layers take', () => {
    const e = errorOf('largest-first', { layers, keep: ['fc.weight'], budget: { kind: 'protect', overhead: 0.3, ber: 1e-5 } });
    expect(e.message).toBe('--overhead 0.3 is below what the kept layers take: protecting them is 0.50 of the weights');
  });

  it('names an unknown kept layer and lists the valid ones', () => {
    const e = errorOf('uniform', { layers, keep: ['conv2.weight'], budget: { kind: 'prune', sparsity: 0.5 } });
    expect(e).toBeInstanceOf(OptionError);
    expect(e.message).toBe('--keep: no layer named "conv2.weight"; layers: conv1.weight, fc.weight');
  });

  it('rejects out-of-range budgets and bit lists', () => {
    expect(errorOf('uniform', { layers, budget: { kind: 'prune', sparsity: 1.2 } }).message).toBe('--sparsity must be in [0, 1], got 1.2');
    expect(errorOf('uniform', { layers, budget: { kind: 'quant', avgBits: 4, bits: [1, 4] } }).message).toBe('--bits must be distinct integers in 2..16, got 1,4');
    expect(errorOf('none', { layers, budget: { kind: 'protect', overhead: 0.1, ber: 0 } }).message).toBe('--ber must be in (0, 1], got 0');
  });

  it('says what a method needs and which kinds it does', () => {
    expect(errorOf('mckp', { layers, budget: { kind: 'prune', sparsity: 0.5 } }).message).toBe(
      'budget method "mckp" needs per-layer cost curves (--from, --criterion or --measure)',
    );
    expect(errorOf('lamp', { layers, budget: { kind: 'quant', avgBits: 4, bits: [4] } }).message).toBe(
      'budget method "lamp" does not allocate quant budgets; it does prune',
    );
  });

  it('names the layer and level a cost curve lacks', () => {
    const partial = new Map([['conv1.weight', [{ level: 2, cost: 1 }, { level: 4, cost: 0 }]]]);
    const missingLevel = errorOf('mckp', { layers, costs: new Map([...partial, ['fc.weight', [{ level: 2, cost: 1 }]]]), budget: { kind: 'quant', avgBits: 3, bits: [2, 3] } });
    expect(missingLevel).toBeInstanceOf(BudgetInputError);
    expect(missingLevel.message).toMatch(/^cost curve of layer "conv1.weight" has no point at 3 bits \(it has 2, 4\)$/);
    expect(errorOf('mckp', { layers, costs: partial, budget: { kind: 'quant', avgBits: 3, bits: [2, 4] } }).message).toBe(
      'the cost curves have no entry for layer "fc.weight"',
    );
  });

  it('handles a single layer and equal scores without error', () => {
    const one = [layer('only', 0, [3, 3])];
    expect(runBudgetMethod(BUDGET_METHODS.uniform, { layers: one, budget: { kind: 'prune', sparsity: 0.5 } }).achieved).toMatchObject({ pruned: 4 });
    const flat = new Map(layers.map((l) => [l.name, [2, 3, 4, 8].map((b) => ({ level: b, cost: 0 }))]));
    const result = runBudgetMethod(BUDGET_METHODS.mckp, { layers, costs: flat, budget: { kind: 'quant', avgBits: 5, bits: [2, 3, 4, 8] } });
    // Equal costs: the larger bit-width wins where it fits.
    expect(result.predicted).toBe(0);
    expect(result.achieved).toMatchObject({ avgBits: 5 });
  });
});

describe('budgetGrid', () => {
  it('spans average bits 2–8, sparsity 0.3–0.95 and overhead 0–0.5 in clean steps', () => {
    expect(budgetGrid('quant')).toEqual([2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8]);
    expect(budgetGrid('prune')).toEqual([0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
    expect(budgetGrid('protect')).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]);
    expect(budgetGrid('prune', { from: 0.5, to: 0.6, step: 0.1 })).toEqual([0.5, 0.6]);
  });
});

describe('curvePlans', () => {
  it('plans every method at every budget, and records the budgets a method cannot meet', () => {
    const layers = [layer('first', 0, [10, 10]), layer('last', 1, [2, 10])];
    const plans = curvePlans({ layers, budget: { kind: 'prune', sparsity: 0 } }, [BUDGET_METHODS.uniform, BUDGET_METHODS['uniform-plus']], [0.1, 0.9]);
    expect(plans.map((p) => [p.budget, p.method, 'error' in p ? 'error' : p.achieved])).toEqual([
      [0.1, 'uniform', 0.1],
      [0.1, 'uniform-plus', 0.1],
      [0.9, 'uniform', 0.9],
      [0.9, 'uniform-plus', 'error'],
    ]);
  });
});

describe('shiftCounts', () => {
  const curves = [
    [{ count: 0, cost: 0 }, { count: 10, cost: 1 }],
    [{ count: 0, cost: 0 }, { count: 10, cost: 0.5 }],
  ];
  it('moves the whole difference in the one layer it changes least', () => {
    expect(shiftCounts(curves, [10, 0], -5)).toEqual([5, 0]);
    expect(shiftCounts(curves, [5, 5], 5)).toEqual([5, 10]);
  });
  it('spreads it, best change per weight first, when no layer has room alone', () => {
    expect(shiftCounts(curves, [3, 3], -5)).toEqual([0, 1]);
    expect(shiftCounts(curves, [10, 10], 1)).toBeUndefined();
  });
});
