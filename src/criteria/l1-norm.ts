/** L1 norm of the weight tensor (bias excluded). */
import { defineCriterion } from './criterion.js';
import { perLayer, sumAbs } from './weights.js';

export default defineCriterion({
  id: 'l1-norm',
  title: 'L1 norm of the weights',
  family: 'data-free',
  cite: 'Li et al. 2017 (Pruning Filters for Efficient ConvNets), per layer',
  formula: 'Σ|w|',
  needs: { data: false, gradients: false, hvp: false },
  compute: async (ctx) => perLayer(ctx, (layer) => sumAbs(ctx.weight(layer))),
});
