export {
  applyPerturbation,
  checkPerturbation,
  formatPerturbation,
  isStochastic,
  levelOf,
  parsePerturbation,
  parsePerturbationList,
  PERTURBATION_KINDS,
  type Perturbation,
  type PerturbationKind,
  type PerturbationSpec,
} from './perturbation.js';
export type { PerturbResult, PerturbTarget } from './target.js';
export { PerturbationError, PerturbationSyntaxError } from './errors.js';
export { createRng, type Rng } from './rng.js';
export { roundHalfEven } from './round-half-even.js';
