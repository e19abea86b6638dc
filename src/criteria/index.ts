/**
 * The CRITERIA table, and how a list such as "l2-norm,output-kl@prune:0.5,data-free" becomes
 * criterion instances. An instance of a criterion that models a perturbation may name another one
 * after '@' (`quant-error@quantc:8`); the instance's name is the id alone when it uses the default.
 */
import { OptionError } from '../errors.js';
import { formatPerturbation, parsePerturbation, PerturbationSyntaxError, type PerturbationSpec } from '../perturb/index.js';
import { CRITERION_FAMILIES, type Criterion, type CriterionFamily } from './criterion.js';
import { acceptsKind } from './needs.js';
import { RECOMMENDED } from './recommended.js';
import depth from './depth.js';
import edgeProximity from './edge-proximity.js';
import fisher from './fisher.js';
import fisherObd from './fisher-obd.js';
import ggnTrace from './ggn-trace.js';
import gradNorm from './grad-norm.js';
import hawqV2 from './hawq-v2.js';
import hawqV2Ggn from './hawq-v2-ggn.js';
import hutchinsonTrace from './hutchinson-trace.js';
import integratedGradientsPerturbation from './integrated-gradients-perturbation.js';
import integratedGradientsRemoval from './integrated-gradients-removal.js';
import l1Norm from './l1-norm.js';
import l2Norm from './l2-norm.js';
import meanAbs from './mean-abs.js';
import outputKl from './output-kl.js';
import outputMse from './output-mse.js';
import paramCount from './param-count.js';
import pruneError from './prune-error.js';
import quantError from './quant-error.js';
import quantErrorRelative from './quant-error-relative.js';
import random from './random.js';
import snip from './snip.js';
import synflow from './synflow.js';
import taylorFirstOrder from './taylor-first-order.js';
import weightStd from './weight-std.js';

/** Every criterion, in the order tables list them (cheapest families first). */
export const CRITERIA: readonly Criterion[] = [
  paramCount,
  depth,
  edgeProximity,
  l1Norm,
  l2Norm,
  meanAbs,
  weightStd,
  quantError,
  quantErrorRelative,
  pruneError,
  synflow,
  gradNorm,
  taylorFirstOrder,
  snip,
  fisher,
  fisherObd,
  hutchinsonTrace,
  ggnTrace,
  hawqV2,
  hawqV2Ggn,
  integratedGradientsPerturbation,
  integratedGradientsRemoval,
  outputKl,
  outputMse,
  random,
];

/**
 * What `safer score` computes when --criteria is not given, also named by "default": the criteria the
 * benchmark recommends, one per perturbation family (RECOMMENDED), each once.
 */
export const DEFAULT_CRITERIA: readonly string[] = [...new Set(Object.values(RECOMMENDED))];

/** One criterion with its parameter chosen. */
export interface CriterionInstance {
  /** `id`, or `id@perturbation` when the perturbation is not the default. */
  readonly name: string;
  readonly criterion: Criterion;
  readonly perturbation?: PerturbationSpec;
}

export function findCriterion(id: string): Criterion | undefined {
  return CRITERIA.find((c) => c.id === id);
}

/** An instance from "id" or "id@perturbation". */
export function criterionInstance(text: string): CriterionInstance {
  const trimmed = text.trim();
  const at = trimmed.indexOf('@');
  const id = at < 0 ? trimmed : trimmed.slice(0, at);
  const criterion = findCriterion(id);
  if (!criterion) {
    throw new OptionError(`unknown criterion "${id}"; criteria: ${CRITERIA.map((c) => c.id).join(', ')} (or all, default, or a family: ${CRITERION_FAMILIES.join(', ')})`);
  }
  const parameter = criterion.perturbation;
  if (!parameter) {
    if (at >= 0) throw new OptionError(`criterion "${id}" takes no perturbation parameter (drop "${trimmed.slice(at)}")`);
    return { name: id, criterion };
  }
  let spec: PerturbationSpec;
  try {
    spec = parsePerturbation(at < 0 ? parameter.default : trimmed.slice(at + 1));
  } catch (e) {
    if (e instanceof PerturbationSyntaxError) throw new OptionError(`criterion "${trimmed}": ${e.message}`);
    throw e;
  }
  if (!acceptsKind(parameter, spec.perturbation.kind)) {
    throw new OptionError(`criterion "${id}" models ${parameter.accepts === 'all' ? 'any' : parameter.accepts.join(', ')} perturbations, not "${spec.text}"`);
  }
  const canonical = formatPerturbation(spec.perturbation);
  const isDefault = canonical === formatPerturbation(parsePerturbation(parameter.default).perturbation);
  return { name: isDefault ? id : `${id}@${canonical}`, criterion, perturbation: { text: canonical, perturbation: spec.perturbation } };
}

/**
 * Instances named by a list: criterion ids (with optional @perturbation), family names
 * (data-free, first-order, ...), "default" and "all". Repeats are dropped; order follows the list.
 */
export function resolveCriteria(items: readonly string[]): CriterionInstance[] {
  const out: CriterionInstance[] = [];
  const add = (instance: CriterionInstance): void => {
    if (!out.some((i) => i.name === instance.name)) out.push(instance);
  };
  if (items.length === 0) throw new OptionError('no criteria named; give e.g. --criteria all or --criteria l2-norm,output-kl');
  for (const raw of items) {
    const item = raw.trim();
    if (item === 'all') CRITERIA.forEach((c) => add(criterionInstance(c.id)));
    else if (item === 'default') DEFAULT_CRITERIA.forEach((id) => add(criterionInstance(id)));
    else if (!findCriterion(item) && (CRITERION_FAMILIES as readonly string[]).includes(item)) {
      CRITERIA.filter((c) => c.family === (item as CriterionFamily)).forEach((c) => add(criterionInstance(c.id)));
    } else add(criterionInstance(item));
  }
  return out;
}

export { RECOMMENDED, RECOMMENDED_FOR } from './recommended.js';
export { defineCriterion, CRITERION_FAMILIES, type Criterion, type CriterionFamily, type CriterionOutput } from './criterion.js';
export { acceptsKind, type CriterionNeeds, type PerturbationParameter } from './needs.js';
export { CriterionContext } from './criterion-context.js';
export { ScoringSession, SCORING_DEFAULTS, type ScoringOptions, type ScoringSettings } from './scoring-session.js';
export type { SampleBatch } from '../runtime/memory-batches.js';
