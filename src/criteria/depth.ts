/** Position in topological order: deeper layers score higher (a negative ρ says early layers are the fragile ones). */
import { defineCriterion } from './criterion.js';
import { perLayer } from './weights.js';

export default defineCriterion({
  id: 'depth',
  title: 'Depth (position in topological order)',
  family: 'data-free',
  cite: 'safer baseline',
  formula: 'i / (L − 1) for the i-th of L layers (from 0)',
  needs: { data: false, gradients: false, hvp: false },
  compute: async (ctx) => perLayer(ctx, (layer) => layer.index / Math.max(1, ctx.layers.length - 1)),
});
