import { SaferError } from '../errors.js';

/** A perturbation or its target is invalid: bad level, shape, channel axis or bias length. */
export class PerturbationError extends SaferError {}

/** A perturbation text such as `prune:0.5` could not be parsed. */
export class PerturbationSyntaxError extends PerturbationError {}
