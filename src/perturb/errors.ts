/** A perturbation or its target is invalid: bad level, shape, channel axis or bias length. */
export class PerturbationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PerturbationError';
  }
}

/** A perturbation text such as `prune:0.5` could not be parsed. */
export class PerturbationSyntaxError extends PerturbationError {
  constructor(message: string) {
    super(message);
    this.name = 'PerturbationSyntaxError';
  }
}
