/** What the budget tests re-derive by the exact definitions: perturbations and pruned counts. */
export { applyPerturbation, createRng } from '../../src/perturb/index.js';

/** floor(r·n) of `prune:r`, as the perturbation takes it (of the float64 product). */
export function prunedCountOf(ratio: number, n: number): number {
  return Math.floor(ratio * n);
}
