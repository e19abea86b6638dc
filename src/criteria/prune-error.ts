/** Energy removed by pruning: the squared norm of what the pruned weights (and, for prunec, biases) lose. */
import { defineCriterion } from './criterion.js';
import { perLayer, perturbationEnergy } from './weights.js';

export default defineCriterion({
  id: 'prune-error',
  title: 'Pruning error ‖P_r(W) − W‖² (energy removed)',
  family: 'data-free',
  cite: 'safer baseline (the magnitude-pruning objective of Han et al. 2015, per layer)',
  formula: 'Σ of w² over the entries zeroed by prune:r (default r = 0.5; prunec:r accepted, bias included)',
  needs: { data: false, gradients: false, hvp: false },
  perturbation: { default: 'prune:0.5', accepts: ['prune', 'prunec'] },
  compute: async (ctx) => perLayer(ctx, (layer) => perturbationEnergy(ctx, layer, ctx.perturb(layer))),
});
