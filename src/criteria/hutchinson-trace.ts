/** Per-layer Hessian trace of the calibration loss, estimated by Hutchinson's method; details report convergence. */
import { defineCriterion } from './criterion.js';
import { HVP_STEP, hessianTraces } from './hessian-trace.js';
import { convergenceDetails } from './trace-estimate.js';

export default defineCriterion({
  id: 'hutchinson-trace',
  title: 'Hessian trace (Hutchinson)',
  family: 'second-order',
  cite: 'Hutchinson 1990 (trace estimator); per-layer Hessian traces as in Yao et al. 2020 (PyHessian) and Dong et al. 2020 (HAWQ-V2)',
  formula: 'Tr(H_W) ≈ mean over S Rademacher samples r of rᵀ(H r), H·r from central differences of ∂L/∂W',
  needs: { data: true, gradients: true, hvp: true },
  compute: async (ctx) => {
    const estimate = await hessianTraces(ctx);
    return { scores: estimate.trace, details: { ...convergenceDetails(estimate), step: HVP_STEP } };
  },
});
