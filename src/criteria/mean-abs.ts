/** Mean magnitude of the weights (bias excluded): the L1 norm without the size of the layer. */
import { defineCriterion } from './criterion.js';
import { perLayer, sumAbs } from './weights.js';

export default defineCriterion({
  id: 'mean-abs',
  title: 'Mean absolute weight',
  family: 'data-free',
  cite: 'safer baseline (size-normalised magnitude, as in Han et al. 2015)',
  formula: 'Σ|w| / n',
  needs: { data: false, gradients: false, hvp: false },
  compute: async (ctx) => perLayer(ctx, (layer) => {
    const w = ctx.weight(layer);
    return w.length > 0 ? sumAbs(w) / w.length : 0;
  }),
});
