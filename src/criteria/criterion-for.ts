/**
 * `safer score --for quant:2,prune:0.9`: the criterion the benchmark recommends for one perturbation of a
 * kind (RECOMMENDED_FOR, judged cell by cell), instanced at that very perturbation where the criterion
 * models one (a measured proxy at quant:2 answers another question than at quant:4), as it is otherwise.
 */
import { acceptsKind } from './needs.js';
import { criterionInstance, type CriterionInstance } from './index.js';
import { RECOMMENDED_FOR } from './recommended.js';
import type { PerturbationSpec } from '../perturb/index.js';

export function recommendedInstanceFor(spec: PerturbationSpec): CriterionInstance {
  const recommended = criterionInstance(RECOMMENDED_FOR[spec.perturbation.kind]);
  const parameter = recommended.criterion.perturbation;
  return parameter && acceptsKind(parameter, spec.perturbation.kind) ? criterionInstance(`${recommended.criterion.id}@${spec.text}`) : recommended;
}
