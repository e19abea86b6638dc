/** Per-layer Gauss–Newton (true Fisher) trace from mini-batch gradients with model-sampled labels; see gauss-newton.ts. */
import { defineCriterion } from './criterion.js';
import { gaussNewtonTraces } from './gauss-newton.js';
import { convergenceDetails } from './trace-estimate.js';

export default defineCriterion({
  id: 'ggn-trace',
  title: 'Gauss–Newton (true Fisher) trace',
  family: 'second-order',
  cite: 'Martens 2020 (New insights and perspectives on the natural gradient method): the Gauss–Newton matrix of softmax cross-entropy equals the Fisher with model-sampled labels; safer estimator',
  formula: 'Tr(G_W) = E_x E_{y∼softmax(f(x))} ‖∂ℓ(x, y)/∂W‖², estimated by n_b·‖∂L_b/∂W‖² on mini-batches with one sampled label per image',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => {
    const estimate = await gaussNewtonTraces(ctx);
    return { scores: estimate.trace, details: { ...convergenceDetails(estimate), batch_size: estimate.batchSize } };
  },
});
