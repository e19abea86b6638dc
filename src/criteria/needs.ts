/** What a criterion declares it needs (checked: see criterion-context.ts and tests/criteria/registry.test.ts). */
import type { PerturbationKind } from '../perturb/index.js';

export interface CriterionNeeds {
  /** Reads calibration images (ctx.calibration(), ctx.baseLogits(), ctx.forward on data). */
  readonly data: boolean;
  /** Runs the backward graph: ctx.gradients(), ctx.gradientStatistics(), ctx.gradientsAt(), ctx.forEachBatchGradient() or ctx.hvp(). */
  readonly gradients: boolean;
  /** Uses Hessian-vector products (ctx.hvp()); implies gradients. */
  readonly hvp: boolean;
}

/** A criterion that models one perturbation takes it as a parameter: `id@quant:8`. */
export interface PerturbationParameter {
  /** Used when the instance names none, e.g. "quant:4". */
  readonly default: string;
  /** Perturbation kinds the criterion is defined for: 'all', or a list. */
  readonly accepts: 'all' | readonly PerturbationKind[];
}

/** Whether a criterion's perturbation parameter takes perturbations of `kind`. */
export function acceptsKind(parameter: PerturbationParameter, kind: PerturbationKind): boolean {
  return parameter.accepts === 'all' || parameter.accepts.includes(kind);
}

