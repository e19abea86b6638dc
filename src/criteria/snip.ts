/** SNIP connection sensitivity summed over the layer: Σ|g·w|. */
import { defineCriterion } from './criterion.js';
import { sumWithGradient } from './weights.js';

export default defineCriterion({
  id: 'snip',
  title: 'SNIP connection sensitivity Σ|g·w|',
  family: 'first-order',
  cite: 'Lee et al. 2019 (SNIP: Single-shot Network Pruning based on Connection Sensitivity)',
  formula: 'Σ_i |g_i·w_i| with g = ∂L/∂W on the calibration batch',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => sumWithGradient(ctx, await ctx.gradients(), (w, g) => Math.abs(w * g)),
});
