/** HAWQ-V2 with the Gauss–Newton trace of ggn-trace in place of the finite-difference Hutchinson estimate. */
import { defineCriterion } from './criterion.js';
import { gaussNewtonTraces } from './gauss-newton.js';
import { convergenceDetails } from './trace-estimate.js';
import { perturbationEnergy } from './weights.js';

export default defineCriterion({
  id: 'hawq-v2-ggn',
  title: 'HAWQ-V2 with the Gauss–Newton trace Tr(G)/n · ‖Q(W) − W‖²',
  family: 'second-order',
  cite: 'Dong et al. 2020 (HAWQ-V2), with the trace of ggn-trace (Martens 2020)',
  formula: 'Tr(G_W)/n · ‖Q_b(W) − W‖² with Tr(G_W) from ggn-trace and Q_b = quant:b (default b = 4)',
  needs: { data: true, gradients: true, hvp: false },
  perturbation: { default: 'quant:4', accepts: ['quant', 'quantc'] },
  compute: async (ctx) => {
    const estimate = await gaussNewtonTraces(ctx);
    const scores = new Map(ctx.layers.map((layer) => {
      const n = ctx.weight(layer).length;
      return [layer.name, n > 0 ? ((estimate.trace.get(layer.name) as number) / n) * perturbationEnergy(ctx, layer, ctx.perturb(layer)) : 0];
    }));
    return { scores, details: { ...convergenceDetails(estimate), batch_size: estimate.batchSize } };
  },
});
