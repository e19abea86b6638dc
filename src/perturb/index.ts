export {
  applyPerturbation,
  canonicalPerturbationText,
  checkPerturbation,
  formatPerturbation,
  isStochastic,
  levelOf,
  parsePerturbation,
  parsePerturbationList,
  perturbationFamily,
  perturbationHelp,
  kindOf,
  purposeOf,
  PERTURBATION_KINDS,
  type Perturbation,
  type PerturbationKind,
  type PerturbationPurpose,
  type PerturbationSpec,
} from './perturbation.js';
export type { PerturbResult, PerturbTarget } from './target.js';
export { PerturbationError, PerturbationSyntaxError } from './errors.js';
export { createRng, seedFromKey, type Rng } from './rng.js';
export { roundHalfEven } from './round-half-even.js';
export { sameBits } from './same-bits.js';
