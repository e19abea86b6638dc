/** Every method's plan respects its budget exactly, on random layer sets, single layers, equal scores and keep sets. */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import {
  averageBits, bitOps, BUDGET_DEFAULTS, budgetMethodsFor, buildPlan, protectionOverhead, prunedWeights, pruneTarget,
  runBudgetMethod, totalWeights, weightCount, type AnyBudgetMethod, type Budget, type BudgetKind, type BudgetLayer, type BudgetRequest,
} from '../../src/budget/index.js';
import { uniformPlusCap } from '../../src/budget/methods/uniform-plus.js';
import { createRng, randomCurves, randomLayers, randomWeights } from './helpers.js';
import type { Rng } from '../../src/perturb/index.js';

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
