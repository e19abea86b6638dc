/** Costs measured around a plan, and the rounds of refinement built on them, on the bundled CNN. */
import { describe, expect, it } from 'vitest';
import { BUDGET_DEFAULTS } from '../../src/budget/defaults.js';
import { planWeights } from '../../src/budget/run/apply-plan.js';
import { PlanEvaluator } from '../../src/budget/run/evaluate-plan.js';
import { measureCostCurves } from '../../src/budget/run/measure-costs.js';
import { refineInContext } from '../../src/budget/run/refine-in-context.js';
import type { Allocation, Budget } from '../../src/budget/types.js';
import { openEvalData } from '../../src/data/index.js';
import { prepareModelFile } from '../../src/model/prepare.js';
import { loadSamples, memoryBatches } from '../../src/runtime/memory-batches.js';
import { BUNDLED } from '../helpers/cli.js';

const setup = async () => {
  const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: 200 });
  const prepared = await prepareModelFile(BUNDLED.model, { sampleShape: data.sampleShape });
  const calibration = await loadSamples(data, 200);
  const evaluator = await PlanEvaluator.create(prepared, memoryBatches(calibration.images, calibration.labels, calibration.sampleShape, 'calibration'));
  return { prepared, calibration, evaluator };
};

describe('measureCostCurves around a plan', () => {
  it("gives a layer's cost as the loss of the plan with that layer moved, minus the plan's loss; 0 at the plan's own level", async () => {
    const { prepared, calibration, evaluator } = await setup();
    const budget: Budget = { kind: 'quant', avgBits: 4, bits: [2, 4, 8] };
    const names = prepared.layers.map((l) => l.name);
    const plan: Allocation = { kind: 'quant', bits: new Map(names.map((n, i) => [n, i % 2 === 0 ? 4 : 8])) };
    const around = await measureCostCurves(prepared, calibration, budget, { context: planWeights(prepared, plan) });
    const planLoss = (await evaluator.plan(plan, budget, 1)).loss;
    for (const [i, name] of names.entries()) {
      const curve = around.curves.get(name)!;
      expect(curve.find((p) => p.level === plan.bits.get(name))?.cost, name).toBe(0);
      // One layer moved to 2 bits, the others as the plan leaves them, evaluated in full.
      const moved: Allocation = { kind: 'quant', bits: new Map(plan.bits).set(name, 2) };
      const expected = (await evaluator.plan(moved, budget, 1)).loss - planLoss;
      expect(curve.find((p) => p.level === 2)!.cost, name).toBeCloseTo(expected, 5);
      if (i === 0) expect(Math.abs(expected)).toBeGreaterThan(1e-4); // the check is not vacuous
    }
  });
});

describe('refineInContext', () => {
  it('returns a measured plan never worse than the one it started from, within its rounds, and measures each plan at most once', async () => {
    const { prepared, calibration, evaluator } = await setup();
    const budget: Budget = { kind: 'prune', sparsity: 0.7 };
    const measured: string[] = [];
    const measure = async (plan: Allocation) => {
      measured.push(JSON.stringify(plan.kind === 'prune' ? [...plan.counts] : null));
      return (await evaluator.plan(plan, budget, 1)).loss - evaluator.base.loss;
    };
    // Start from uniform pruning at 0.7: far from the best allocation on this model.
    const uniform: Allocation = { kind: 'prune', counts: new Map(prepared.layers.map((l) => [l.name, Math.floor(0.7 * l.shape.reduce((a, b) => a * b, 1))])) };
    const total = prepared.layers.reduce((a, l) => a + l.shape.reduce((x, y) => x * y, 1), 0);
    const start = { label: 'uniform', plan: uniform, measured: await measure(uniform) };
    const result = await refineInContext({
      prepared, calibration, request: { layers: prepared.layers, budget, keep: new Set(), seed: 0 },
      start, measure, rounds: 2, seen: new Set(),
    });
    expect(result.rounds).toBeLessThanOrEqual(2);
    expect(result.evaluations).toBeLessThanOrEqual(result.rounds);
    expect(new Set(measured).size).toBe(measured.length);
    expect(result.best.measured).toBeLessThanOrEqual(start.measured);
    expect(result.best.measured).toBeCloseTo(await measure(result.best.plan), 9);
    // Uniform pruning is not where the costs around it say to stay: a round finds a better plan, at the same budget.
    expect(result.best.label).toMatch(/^in context, round [12]$/);
    const counts = result.best.plan.kind === 'prune' ? [...result.best.plan.counts.values()] : [];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(Math.floor(0.7 * total));
  });

  it('leaves protect plans alone (whole layers protected: nothing to move one step)', async () => {
    const { prepared, calibration } = await setup();
    const start = { label: 'none', plan: { kind: 'protect', protected: new Map() } as Allocation, measured: 0.5 };
    const result = await refineInContext({
      prepared, calibration, request: { layers: prepared.layers, budget: { kind: 'protect', ber: 1e-4, overhead: 0.1 }, keep: new Set(), seed: 0 },
      start, measure: () => Promise.reject(new Error('not measured')), rounds: BUDGET_DEFAULTS.refine.contextRounds, seen: new Set(),
    });
    expect(result).toEqual({ best: start, evaluations: 0, rounds: 0 });
  });
});
