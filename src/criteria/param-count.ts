/** Number of parameters (weights + bias): the bigger layer counts as the more important one. */
import { defineCriterion } from './criterion.js';
import { perLayer } from './weights.js';

export default defineCriterion({
  id: 'param-count',
  title: 'Parameter count',
  family: 'data-free',
  cite: 'safer baseline',
  formula: 'n(W) + n(b)',
  needs: { data: false, gradients: false, hvp: false },
  compute: async (ctx) => perLayer(ctx, (layer) => layer.params),
});
