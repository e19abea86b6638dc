/** plan.json: build, write, read back; every bad field is a one-line error naming the file and the field. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allocationFromPlan, BUDGET_METHODS, BudgetInputError, buildPlan, checkPlanModel, formatPlan, parsePlan, readPlan,
  runBudgetMethod, writePlan, type Allocation, type Budget, type BudgetPlan,
} from '../../src/budget/index.js';
import { layer } from './helpers.js';

const layers = [layer('conv1.weight', 0, [4, 3, 3, 3]), layer('fc.weight', 1, [10, 7])];
const model = { path: 'zoo/m.onnx', sha256: 'ab'.repeat(32) };
const quantCosts = new Map(layers.map((l) => [l.name, [2, 4, 8].map((b) => ({ level: b, cost: 1 / b }))]));

const plans = new Map<Budget, BudgetPlan>();
const allocations = new Map<Budget, Allocation>();

/** The mckp plan of a budget (made once per budget). */
function planFor(budget: Budget): BudgetPlan {
  const known = plans.get(budget);
  if (known !== undefined) return known;
  const costs = budget.kind === 'quant' ? quantCosts : budget.kind === 'prune'
    ? new Map(layers.map((l) => [l.name, [0, 0.5, 1].map((r) => ({ level: r, cost: r }))]))
    : new Map(layers.map((l) => [l.name, [{ level: 1e-5, cost: 0.1 }]]));
  const result = runBudgetMethod(BUDGET_METHODS.mckp, { layers, budget, costs });
  allocations.set(budget, result.allocation);
  const plan = buildPlan(layers, budget, result.allocation, {
    method: result.method, model, source: 'sweep.jsonl', bound: result.bound, predicted: result.predicted,
    accuracy: 0.91, additivity: 1.3, baselines: { uniform: 0.85, random: null }, evaluations: 3,
  });
  plans.set(budget, plan);
  return plan;
}

const budgets: Budget[] = [
  { kind: 'quant', avgBits: 3.5, bits: [2, 4, 8] },
  { kind: 'quant', avgBits: 5, bits: [2, 4, 8], bops: 1e9 },
  { kind: 'prune', sparsity: 0.57 },
  { kind: 'protect', overhead: 0.3, ber: 1e-5 },
];

describe('plan.json', () => {
  it.each(budgets.map((b) => [b.kind, b] as const))('round-trips a %s plan through the file, and back to its allocation', (_, budget) => {
    const plan = planFor(budget);
    const file = join(mkdtempSync(join(tmpdir(), 'safer-plan-')), 'plan.json');
    writePlan(file, plan);
    expect(readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    const read = readPlan(file);
    expect(read).toEqual(plan);
    expect(allocationFromPlan(read, layers, file)).toEqual(allocations.get(budget));
  });

  it('writes the exact prune counts as ratios that floor back to them', () => {
    const plan = planFor({ kind: 'prune', sparsity: 0.57 });
    if (plan.kind !== 'prune') throw new Error('kind');
    expect(plan.achieved).toEqual({ sparsity: Math.floor(0.57 * 178) / 178, pruned: Math.floor(0.57 * 178), total: 178 });
  });

  it('accepts an omitted quant layer as float32', () => {
    const plan = planFor({ kind: 'quant', avgBits: 20, bits: [2, 4, 8] });
    const json = JSON.parse(formatPlan(plan)) as { layers: Record<string, unknown> };
    delete json.layers['fc.weight'];
    const read = parsePlan(JSON.stringify(json), 'p.json');
    const allocation = allocationFromPlan(read, layers, 'p.json');
    expect(allocation.kind === 'quant' && allocation.bits.get('fc.weight')).toBe(null);
  });

  type Json = Record<string, unknown>;
  /** Sets (or, with `undefined`, deletes) the field at `path` of a parsed plan. */
  const edit = (json: Json, path: readonly string[], value: unknown): void => {
    const parent = path.slice(0, -1).reduce((obj, key) => obj[key] as Json, json);
    const key = path[path.length - 1]!;
    if (value === undefined) delete parent[key];
    else parent[key] = value;
  };
  const bad: [string, readonly string[], unknown, string][] = [
    ['version', ['version'], 2, 'p.json: field "version" must be 1, got 2'],
    ['kind', ['kind'], 'sparsify', 'p.json: field "kind" must be "quant", "prune" or "protect", got "sparsify"'],
    ['method', ['method'], '', 'p.json: field "method" must be a non-empty string, got ""'],
    ['model_sha256', ['model_sha256'], 'xyz', 'p.json: field "model_sha256" must be 64 lowercase hex digits, got "xyz"'],
    ['a layer bit-width', ['layers', 'fc.weight'], 3.5, 'p.json: field "layers["fc.weight"]" must be an integer bit-width in 2..16 or null (float32), got 3.5'],
    ['budget.avg_bits', ['budget', 'avg_bits'], '3.5', 'p.json: field "budget.avg_bits" must be a positive number, got "3.5"'],
    ['budget.bits', ['budget', 'bits'], [2, 2], 'p.json: field "budget.bits" must not repeat a bit-width, got [2,2]'],
    ['achieved', ['achieved', 'bops'], undefined, 'p.json: field "achieved.bops" is missing'],
    ['accuracy', ['accuracy'], 91, 'p.json: field "accuracy" must be a number in [0, 1], got 91'],
    ['predicted.gap (null is allowed)', ['predicted', 'gap'], null, ''],
    ['predicted.cost', ['predicted', 'cost'], 'low', 'p.json: field "predicted.cost" must be a finite number, got "low"'],
    ['additivity', ['additivity'], undefined, 'p.json: field "additivity" is missing'],
    ['baselines', ['baselines', 'lamp'], 1.5, 'p.json: field "baselines["lamp"]" must be a number in [0, 1], got 1.5'],
    ['evaluations', ['evaluations'], -1, 'p.json: field "evaluations" must be a non-negative integer, got -1'],
    ['an unknown field', ['notes'], 'x', 'p.json: unknown field "notes"; expected version, kind, method, model, model_sha256, layers, budget, achieved, accuracy, predicted, additivity, baselines, source, evaluations, model_out'],
    ['a nested unknown field', ['budget', 'sparsity'], 0.5, 'p.json: unknown field "budget.sparsity"; expected avg_bits, bits, bops'],
  ];
  it.each(bad)('names a bad %s', (_, path, value, message) => {
    const json = JSON.parse(formatPlan(planFor(budgets[0]!))) as Json;
    edit(json, path, value);
    const text = JSON.stringify(json);
    if (message === '') {
      expect(() => parsePlan(text, 'p.json')).not.toThrow();
      return;
    }
    expect(() => parsePlan(text, 'p.json')).toThrow(new BudgetInputError(message));
  });

  it('names bad values of prune and protect layers', () => {
    const prune = JSON.parse(formatPlan(planFor(budgets[2]!))) as Json;
    edit(prune, ['layers', 'conv1.weight'], 1.5);
    expect(() => parsePlan(JSON.stringify(prune), 'p.json')).toThrow('p.json: field "layers["conv1.weight"]" must be a number in [0, 1], got 1.5');
    const protect = JSON.parse(formatPlan(planFor(budgets[3]!))) as Json;
    edit(protect, ['layers', 'fc.weight'], 'yes');
    expect(() => parsePlan(JSON.stringify(protect), 'p.json')).toThrow('p.json: field "layers["fc.weight"]" must be true or false, got "yes"');
  });

  it('refuses text that is not JSON and files that cannot be read', () => {
    expect(() => parsePlan('{', 'p.json')).toThrow(/^p\.json: not a JSON plan \(/);
    expect(() => readPlan('/nonexistent/plan.json')).toThrow('/nonexistent/plan.json: cannot read the plan (ENOENT)');
  });

  it('refuses a plan for another model, layers the model lacks, and layers that break the plan budget', () => {
    const plan = planFor(budgets[2]!);
    expect(() => checkPlanModel(plan, { path: 'other.onnx', sha256: 'cd'.repeat(32) }, 'p.json')).toThrow(
      'p.json is a plan for zoo/m.onnx (sha256 abababababab…), not for other.onnx (sha256 cdcdcdcdcdcd…)',
    );
    expect(() => checkPlanModel(plan, model, 'p.json')).not.toThrow();
    expect(() => allocationFromPlan(plan, [layers[0]!], 'p.json')).toThrow('p.json: layer "fc.weight" is not in the model; its layers: conv1.weight');
    const json = JSON.parse(formatPlan(plan)) as Json;
    edit(json, ['layers', 'fc.weight'], 1);
    expect(() => allocationFromPlan(parsePlan(JSON.stringify(json), 'p.json'), layers, 'p.json')).toThrow(/^p\.json: the plan's layers break its own budget: \d+ weights pruned, floor\(0\.57·178\) = 101$/);
  });
});
