/** HAWQ-V2 sensitivity: average Hessian trace times the squared quantization error. */
import { defineCriterion } from './criterion.js';
import { HVP_STEP, hessianTraces } from './hessian-trace.js';
import { convergenceDetails } from './trace-estimate.js';
import { perturbationEnergy } from './weights.js';

export default defineCriterion({
  id: 'hawq-v2',
  title: 'HAWQ-V2 Tr(H)/n · ‖Q(W) − W‖²',
  family: 'second-order',
  cite: 'Dong et al. 2020 (HAWQ-V2: Hessian Aware trace-Weighted Quantization of Neural Networks)',
  formula: 'Tr(H_W)/n · ‖Q_b(W) − W‖² with Tr(H_W) from hutchinson-trace and Q_b = quant:b (default b = 4)',
  needs: { data: true, gradients: true, hvp: true },
  perturbation: { default: 'quant:4', accepts: ['quant', 'quantc'] },
  compute: async (ctx) => {
    const estimate = await hessianTraces(ctx);
    const scores = new Map(ctx.layers.map((layer) => {
      const n = ctx.weight(layer).length;
      const trace = estimate.trace.get(layer.name) as number;
      return [layer.name, n > 0 ? (trace / n) * perturbationEnergy(ctx, layer, ctx.perturb(layer)) : 0];
    }));
    return { scores, details: { ...convergenceDetails(estimate), step: HVP_STEP } };
  },
});
