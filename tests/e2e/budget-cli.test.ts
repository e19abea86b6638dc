/** `safer budget` end to end on the bundled model: plans respect their budgets, the written model is the plan, and its accuracy is measured. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BudgetPlan } from '../../src/budget/index.js';
import { parseCurveFile, type CurvePoint } from '../../src/budget/run/curve-file.js';
import { RECOMMENDED } from '../../src/criteria/index.js';
import { loadModel } from '../../src/onnx/model.js';
import { applyPerturbation, createRng, prunedCountOf } from '../helpers/perturbations.js';
import { makeTmp } from '../data/helpers.js';
import { BUNDLED, jsonOf, safer } from '../helpers/cli.js';

const tmp = makeTmp();
const DATA = ['--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '600', '--calibration', '128', '--evaluations', '4'];
const model = loadModel(BUNDLED.model);
const weightOf = (name: string): Float32Array => model.graph.initializers.get(name)?.data as Float32Array;
const LAYERS = ['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc1.weight', 'fc2.weight'];
const countOf = (name: string): number => weightOf(name).length;

function expectOneLineError(args: string[], code: number, pattern: RegExp): void {
  const r = safer(args);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(pattern);
}

describe('safer budget', () => {
  it('quant: the average bit-width is within the budget, the written model is the plan, and its accuracy is what safer eval measures', () => {
    const out = tmp.path('plan-quant.json');
    const onnx = tmp.path('q.onnx');
    const plan = jsonOf<BudgetPlan & { kind: 'quant' }>(safer(['budget', 'quant', BUNDLED.model, ...DATA, '--avg-bits', '3.5', '--out', out, '--model-out', onnx, '--json']));
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(plan);
    const bits = LAYERS.map((l) => plan.layers[l] ?? 32);
    const average = bits.reduce((a, b, i) => a + b * countOf(LAYERS[i]!), 0) / LAYERS.reduce((a, l) => a + countOf(l), 0);
    expect(average).toBeLessThanOrEqual(3.5);
    expect(plan.achieved.avg_bits).toBeCloseTo(average, 12);
    expect(Object.keys(plan.baselines).sort()).toEqual(['hawq-v2', 'random', 'uniform']);
    // The written weights are quantc:b of the stored ones, bit for bit.
    const written = loadModel(onnx);
    for (const layer of LAYERS) {
      const b = plan.layers[layer];
      const shape = model.graph.initializers.get(layer)!.dims;
      const expected = b === null || b === undefined ? weightOf(layer) : applyPerturbation({ weight: weightOf(layer), shape, channelAxis: 0 }, { kind: 'quantc', bits: b }, createRng(0)).weight;
      expect(Buffer.from((written.graph.initializers.get(layer)!.data as Float32Array).buffer).equals(Buffer.from(expected.buffer)), layer).toBe(true);
    }
    const evaluated = jsonOf<{ accuracy: number; count: number }>(safer(['eval', onnx, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '600', '--json']));
    expect(evaluated.count).toBe(600);
    expect(plan.accuracy).toBe(evaluated.accuracy);
  });

  it('prune: the global sparsity is met exactly, Σ floor(r·n) = floor(s·N), and the written model has those zeros', () => {
    const onnx = tmp.path('p.onnx');
    // The text output (the plan from its file): it says where the time went.
    const text = safer(['budget', 'prune', BUNDLED.model, ...DATA, '--sparsity', '0.8', '--out', tmp.path('plan-prune.json'), '--model-out', onnx]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^time: costs [0-9.]+ s, baselines [0-9.]+ s \(with any Hessian traces\), refinement [0-9.]+ s, evaluation [0-9.]+ s; [0-9.]+ s in all$/m);
    const plan = JSON.parse(readFileSync(tmp.path('plan-prune.json'), 'utf8')) as BudgetPlan & { kind: 'prune' };
    const total = LAYERS.reduce((a, l) => a + countOf(l), 0);
    const pruned = LAYERS.reduce((a, l) => a + prunedCountOf(plan.layers[l]!, countOf(l)), 0);
    expect(pruned).toBe(Math.floor(0.8 * total));
    expect(plan.achieved.pruned).toBe(pruned);
    const written = loadModel(onnx);
    const zeros = LAYERS.reduce((a, l) => a + (written.graph.initializers.get(l)!.data as Float32Array).filter((v) => v === 0).length, 0);
    expect(zeros).toBeGreaterThanOrEqual(pruned);
    expect(Object.keys(plan.baselines).sort()).toEqual(['erk', 'global-magnitude', 'lamp', 'random', 'uniform', 'uniform-plus']);
  });

  it('protect: the overhead is respected and the expected accuracy comes from fault trials', () => {
    const plan = jsonOf<BudgetPlan & { kind: 'protect' }>(safer(['budget', 'protect', BUNDLED.model, ...DATA, '--ber', '1e-5', '--overhead', '0.3', '--trials', '4', '--out', tmp.path('plan-protect.json'), '--json']));
    const total = LAYERS.reduce((a, l) => a + countOf(l), 0);
    const protectedWeights = LAYERS.filter((l) => plan.layers[l]).reduce((a, l) => a + countOf(l), 0);
    expect(protectedWeights).toBeLessThanOrEqual(0.3 * total);
    expect(plan.achieved.protected).toBe(protectedWeights);
    expect(Object.keys(plan.baselines).sort()).toEqual(['largest-first', 'none', 'random']);
  });

  it('keeps the layers asked for at float32, and a saved plan is applied to its own model only', () => {
    const out = tmp.path('plan-keep.json');
    const plan = jsonOf<BudgetPlan & { kind: 'quant' }>(safer(['budget', 'quant', BUNDLED.model, ...DATA, '--avg-bits', '8', '--keep', 'conv1.weight,fc2.weight', '--no-refine', '--out', out, '--json']));
    expect(plan.layers['conv1.weight']).toBeNull();
    expect(plan.layers['fc2.weight']).toBeNull();
    const applied = jsonOf<{ accuracy: number }>(safer(['budget', 'apply', out, BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '600', '--model-out', tmp.path('applied.onnx'), '--json']));
    expect(applied.accuracy).toBe(plan.accuracy);
    expectOneLineError(['budget', 'apply', out, 'tests/fixtures/models/resnet-mini.onnx', '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--model-out', tmp.path('x.onnx')], 1,
      /^error: \S+plan-keep\.json is a plan for \S+model\.onnx \(sha256 [0-9a-f]{12}…\), not for tests\/fixtures\/models\/resnet-mini\.onnx/);
  });

  it('gives one-line errors for an impossible budget, an unknown layer to keep, and a missing budget', () => {
    expectOneLineError(['budget', 'quant', BUNDLED.model, ...DATA, '--avg-bits', '1.5'], 1, /--avg-bits 1\.5 is below the smallest option, 2 bits everywhere = 2\.00 average/);
    expectOneLineError(['budget', 'quant', BUNDLED.model, ...DATA, '--avg-bits', '4', '--keep', 'conv9.weight'], 1, /--keep: no layer named "conv9\.weight"; layers: conv1\.weight, /);
    expectOneLineError(['budget', 'prune', BUNDLED.model, ...DATA], 2, /^error: safer budget prune needs --sparsity$/);
    expectOneLineError(['budget', 'prune', BUNDLED.model, ...DATA, '--sparsity', '0.5', '--avg-bits', '4'], 2, /--avg-bits is not an option of safer budget prune/);
    expectOneLineError(['budget', 'shrink'], 2, /needs a kind: quant, prune, protect, or curve <kind>/);
  });

  it('curve protect: each point carries its fault trials, paired across plans (the same flips where both leave a layer open)', () => {
    const out = tmp.path('curve-protect.json');
    const points = jsonOf<CurvePoint[]>(safer(['budget', 'curve', 'protect', BUNDLED.model, ...DATA, '--ber', '1e-4', '--grid', '0,0.3', '--trials', '3', '--no-refine', '--out', out, '--json']));
    for (const p of points) {
      expect(p.trials, p.method).toHaveLength(3);
      expect(p.accuracy).toBeCloseTo(p.trials!.reduce((a, b) => a + b, 0) / 3, 12);
    }
    // At overhead 0 nothing is protected: every plan is the same, and so is every trial.
    const open = points.filter((p) => p.budget === 0);
    expect(new Set(open.map((p) => JSON.stringify(p.trials))).size).toBe(1);
    expect(parseCurveFile(readFileSync(out, 'utf8'), out, 'protect')).toEqual(points);
  });

  it('curve: one row per (budget, method), baselines included, with accuracy intervals', () => {
    const out = tmp.path('curve-quant.json');
    const points = jsonOf<CurvePoint[]>(safer(['budget', 'curve', 'quant', BUNDLED.model, ...DATA, '--grid', '3,6', '--no-refine', '--out', out, '--json']));
    expect([...new Set(points.map((p) => p.method))]).toEqual(['safer', `criterion:${RECOMMENDED.quantc}`, 'hawq-v2', 'uniform', 'random']);
    expect(points.map((p) => p.budget)).toEqual([3, 3, 3, 3, 3, 6, 6, 6, 6, 6]);
    for (const p of points) {
      expect(p.achieved).toBeLessThanOrEqual(p.budget + 1e-12);
      expect(p.interval[0]).toBeLessThanOrEqual(p.accuracy);
      expect(p.interval[1]).toBeGreaterThanOrEqual(p.accuracy);
    }
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(points);
  });
});
