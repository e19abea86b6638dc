/**
 * Reading plan.json: every field is checked, and a bad one is a one-line BudgetInputError naming the file and
 * the field. `allocationFromPlan` then matches the plan to a model's layers and re-checks its budget.
 */
import { readFileSync } from 'node:fs';
import { budgetViolation } from './checks.js';
import { prunedCount } from './counts.js';
import { BudgetInputError } from './errors.js';
import { weightCount } from './layers.js';
import type { BudgetPlan, PlanPrediction } from './plan-types.js';
import type { Allocation, Budget, BudgetLayer } from './types.js';

const TOP_FIELDS = [
  'version', 'kind', 'method', 'model', 'model_sha256', 'layers', 'budget', 'achieved',
  'accuracy', 'predicted', 'additivity', 'baselines', 'source', 'evaluations', 'model_out',
] as const;

type Json = Record<string, unknown>;

/** Reads and checks a plan file. */
export function readPlan(file: string): BudgetPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BudgetInputError(`${file}: cannot read the plan (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parsePlan(text, file);
}

/** Checks a plan's JSON text; `file` names it in errors. */
export function parsePlan(text: string, file: string): BudgetPlan {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new BudgetInputError(`${file}: not a JSON plan (${(e as Error).message})`);
  }
  const f = new FieldChecker(file);
  const top = f.object('(top level)', root, TOP_FIELDS);
  if (top.version !== 1) f.fail('version', 'must be 1', top.version);
  const common = {
    version: 1 as const,
    method: f.name('method', top.method),
    model: f.string('model', top.model),
    model_sha256: f.sha256('model_sha256', top.model_sha256),
    accuracy: f.nullable(top.accuracy, () => f.fraction('accuracy', top.accuracy)),
    predicted: prediction(f, top.predicted),
    additivity: f.nullable(top.additivity, () => f.finite('additivity', top.additivity)),
    baselines: f.record('baselines', top.baselines, (field, v) => f.nullable(v, () => f.fraction(field, v))),
    source: f.string('source', top.source),
    evaluations: f.count('evaluations', top.evaluations),
    model_out: f.nullable(top.model_out, () => f.string('model_out', top.model_out)),
  };
  switch (top.kind) {
    case 'quant': {
      const budget = f.object('budget', top.budget, ['avg_bits', 'bits', 'bops']);
      const achieved = f.object('achieved', top.achieved, ['avg_bits', 'bops']);
      return {
        ...common,
        kind: 'quant',
        layers: f.record('layers', top.layers, (field, v) => f.nullable(v, () => f.bits(field, v))),
        budget: {
          avg_bits: f.positive('budget.avg_bits', budget.avg_bits),
          bits: f.bitList('budget.bits', budget.bits),
          bops: f.nullable(budget.bops, () => f.positive('budget.bops', budget.bops)),
        },
        achieved: {
          avg_bits: f.positive('achieved.avg_bits', achieved.avg_bits),
          bops: f.nullable(achieved.bops, () => f.positive('achieved.bops', achieved.bops)),
        },
      };
    }
    case 'prune': {
      const budget = f.object('budget', top.budget, ['sparsity']);
      const achieved = f.object('achieved', top.achieved, ['sparsity', 'pruned', 'total']);
      return {
        ...common,
        kind: 'prune',
        layers: f.record('layers', top.layers, (field, v) => f.fraction(field, v)),
        budget: { sparsity: f.fraction('budget.sparsity', budget.sparsity) },
        achieved: {
          sparsity: f.fraction('achieved.sparsity', achieved.sparsity),
          pruned: f.count('achieved.pruned', achieved.pruned),
          total: f.count('achieved.total', achieved.total),
        },
      };
    }
    case 'protect': {
      const budget = f.object('budget', top.budget, ['overhead', 'ber']);
      const achieved = f.object('achieved', top.achieved, ['overhead', 'protected', 'total']);
      return {
        ...common,
        kind: 'protect',
        layers: f.record('layers', top.layers, (field, v) => f.boolean(field, v)),
        budget: { overhead: f.fraction('budget.overhead', budget.overhead), ber: f.fraction('budget.ber', budget.ber) },
        achieved: {
          overhead: f.fraction('achieved.overhead', achieved.overhead),
          protected: f.count('achieved.protected', achieved.protected),
          total: f.count('achieved.total', achieved.total),
        },
      };
    }
    default:
      return f.fail('kind', 'must be "quant", "prune" or "protect"', top.kind);
  }
}

function prediction(f: FieldChecker, value: unknown): PlanPrediction {
  const p = f.object('predicted', value, ['cost', 'lower_bound', 'gap', 'slack', 'corrected']);
  const num = (key: string) => f.nullable(p[key], () => f.finite(`predicted.${key}`, p[key]));
  return {
    cost: num('cost'),
    lower_bound: num('lower_bound'),
    gap: num('gap'),
    slack: f.nullable(p.slack, () => f.record('predicted.slack', p.slack, (field, v) => f.finite(field, v))),
    corrected: num('corrected'),
  };
}

/** Field checks that throw `<file>: field "<field>" <expectation>, got <value>`. */
class FieldChecker {
  constructor(private readonly file: string) {}

  fail(field: string, expectation: string, value: unknown): never {
    throw new BudgetInputError(`${this.file}: field "${field}" ${expectation}, got ${show(value)}`);
  }

  object(field: string, value: unknown, keys: readonly string[]): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be an object', value);
    const json = value as Json;
    const unknown = Object.keys(json).find((k) => !keys.includes(k));
    if (unknown !== undefined) {
      const where = field === '(top level)' ? unknown : `${field}.${unknown}`;
      throw new BudgetInputError(`${this.file}: unknown field "${where}"; expected ${keys.join(', ')}`);
    }
    const missing = keys.find((k) => !(k in json));
    if (missing !== undefined) {
      throw new BudgetInputError(`${this.file}: field "${field === '(top level)' ? missing : `${field}.${missing}`}" is missing`);
    }
    return json;
  }

  record<T>(field: string, value: unknown, check: (field: string, v: unknown) => T): Record<string, T> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be an object', value);
    return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, check(`${field}["${k}"]`, v)]));
  }

  nullable<T>(value: unknown, check: () => T): T | null {
    return value === null ? null : check();
  }

  string(field: string, value: unknown): string {
    return typeof value === 'string' ? value : this.fail(field, 'must be a string', value);
  }

  name(field: string, value: unknown): string {
    return typeof value === 'string' && value.trim() !== '' ? value : this.fail(field, 'must be a non-empty string', value);
  }

  sha256(field: string, value: unknown): string {
    return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value : this.fail(field, 'must be 64 lowercase hex digits', value);
  }

  boolean(field: string, value: unknown): boolean {
    return typeof value === 'boolean' ? value : this.fail(field, 'must be true or false', value);
  }

  finite(field: string, value: unknown): number {
    return typeof value === 'number' && Number.isFinite(value) ? value : this.fail(field, 'must be a finite number', value);
  }

  positive(field: string, value: unknown): number {
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : this.fail(field, 'must be a positive number', value);
  }

  fraction(field: string, value: unknown): number {
    return typeof value === 'number' && value >= 0 && value <= 1 ? value : this.fail(field, 'must be a number in [0, 1]', value);
  }

  count(field: string, value: unknown): number {
    return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : this.fail(field, 'must be a non-negative integer', value);
  }

  bits(field: string, value: unknown): number {
    return Number.isInteger(value) && (value as number) >= 2 && (value as number) <= 16
      ? (value as number)
      : this.fail(field, 'must be an integer bit-width in 2..16 or null (float32)', value);
  }

  bitList(field: string, value: unknown): number[] {
    if (!Array.isArray(value) || value.length === 0) this.fail(field, 'must be a non-empty list of bit-widths', value);
    const list = (value as unknown[]).map((v, i) => this.bits(`${field}[${i}]`, v));
    if (new Set(list).size !== list.length) this.fail(field, 'must not repeat a bit-width', value);
    return list;
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The budget a plan states. */
export function budgetOfPlan(plan: BudgetPlan): Budget {
  switch (plan.kind) {
    case 'quant':
      return { kind: 'quant', avgBits: plan.budget.avg_bits, bits: plan.budget.bits, bops: plan.budget.bops ?? undefined };
    case 'prune':
      return { kind: 'prune', sparsity: plan.budget.sparsity };
    case 'protect':
      return { kind: 'protect', overhead: plan.budget.overhead, ber: plan.budget.ber };
  }
}

/**
 * The plan's decisions on a model's layers: every plan layer must be one of them, every model layer must be
 * in the plan (a quant layer may be omitted: float32), and the decisions must respect the plan's own budget.
 */
export function allocationFromPlan(plan: BudgetPlan, layers: readonly BudgetLayer[], file: string): Allocation {
  const names = new Set(layers.map((l) => l.name));
  const unknown = Object.keys(plan.layers).find((name) => !names.has(name));
  if (unknown !== undefined) {
    throw new BudgetInputError(`${file}: layer "${unknown}" is not in the model; its layers: ${[...names].join(', ')}`);
  }
  const missing = plan.kind === 'quant' ? undefined : layers.find((l) => !Object.hasOwn(plan.layers, l.name));
  if (missing !== undefined) throw new BudgetInputError(`${file}: field "layers" has no entry for layer "${missing.name}"`);
  let allocation: Allocation;
  switch (plan.kind) {
    case 'quant':
      allocation = { kind: 'quant', bits: new Map(layers.map((l) => [l.name, plan.layers[l.name] ?? null])) };
      break;
    case 'prune':
      allocation = { kind: 'prune', counts: new Map(layers.map((l) => [l.name, prunedCount(plan.layers[l.name]!, weightCount(l))])) };
      break;
    case 'protect':
      allocation = { kind: 'protect', protected: new Map(layers.map((l) => [l.name, plan.layers[l.name]!])) };
      break;
  }
  const problem = budgetViolation(layers, budgetOfPlan(plan), allocation);
  if (problem !== undefined) throw new BudgetInputError(`${file}: the plan's layers break its own budget: ${problem}`);
  return allocation;
}

/** Refuses a plan made for another model (by sha256 of the model file). */
export function checkPlanModel(plan: BudgetPlan, model: { readonly path: string; readonly sha256: string }, file: string): void {
  if (plan.model_sha256 !== model.sha256) {
    throw new BudgetInputError(
      `${file} is a plan for ${plan.model} (sha256 ${plan.model_sha256.slice(0, 12)}…), not for ${model.path} (sha256 ${model.sha256.slice(0, 12)}…)`,
    );
  }
}
