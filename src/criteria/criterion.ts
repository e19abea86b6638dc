/**
 * The one interface every layer-importance criterion implements. A criterion maps each weight layer
 * to one number, higher = more important = more fragile (a larger expected accuracy drop when the
 * layer is perturbed). Metadata is checked here and by tests/criteria/registry.test.ts.
 */
import { assert } from '../errors.js';
import type { CriterionContext } from './criterion-context.js';
import type { CriterionNeeds, PerturbationParameter } from './needs.js';

export type CriterionFamily = 'data-free' | 'first-order' | 'second-order' | 'path' | 'output' | 'random';

export const CRITERION_FAMILIES: readonly CriterionFamily[] = ['data-free', 'first-order', 'second-order', 'path', 'output', 'random'];

/** One layer's score and any per-layer or global details a criterion wants to report (JSON-safe). */
export interface CriterionOutput {
  readonly scores: ReadonlyMap<string, number>;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface Criterion {
  /** Kebab-case, equal to the file name under src/criteria/. */
  readonly id: string;
  /** A short human title. */
  readonly title: string;
  readonly family: CriterionFamily;
  /** Source: paper (authors year) or "safer" for our own baselines. */
  readonly cite: string;
  /** The score in one line, e.g. "Σ|w|". */
  readonly formula: string;
  readonly needs: CriterionNeeds;
  /** If present, the criterion models this perturbation (and the instance may choose another). */
  readonly perturbation?: PerturbationParameter;
  compute(ctx: CriterionContext): Promise<ReadonlyMap<string, number> | CriterionOutput>;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Checks and returns a criterion definition (a bad one is a bug, so it throws a plain Error at import time). */
export function defineCriterion<C extends Criterion>(criterion: C): C {
  const problems: string[] = [];
  if (!KEBAB.test(criterion.id)) problems.push('id must be kebab-case');
  if (criterion.title.trim() === '') problems.push('title is empty');
  if (criterion.cite.trim() === '') problems.push('cite is empty');
  if (criterion.formula.trim() === '' || criterion.formula.includes('\n')) problems.push('formula must be one non-empty line');
  if (!CRITERION_FAMILIES.includes(criterion.family)) problems.push(`family must be one of ${CRITERION_FAMILIES.join(', ')}`);
  if (criterion.needs.hvp && !criterion.needs.gradients) problems.push('needs.hvp implies needs.gradients (Hessian-vector products are differences of gradients)');
  if (criterion.needs.gradients && !criterion.needs.data) problems.push('needs.gradients implies needs.data');
  if (criterion.perturbation && criterion.perturbation.accepts !== 'all' && criterion.perturbation.accepts.length === 0) problems.push('perturbation.accepts is empty');
  assert(problems.length === 0, () => `criterion "${criterion.id}": ${problems.join('; ')}`);
  return criterion;
}

/** Scores as a plain map, whatever `compute` returned. */
export function outputOf(result: ReadonlyMap<string, number> | CriterionOutput): CriterionOutput {
  return result instanceof Map ? { scores: result } : (result as CriterionOutput);
}
