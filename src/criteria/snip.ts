/** SNIP connection sensitivity summed over the layer: Σ|g·w|. */
import { defineCriterion } from './criterion.js';

export default defineCriterion({
  id: 'snip',
  title: 'SNIP connection sensitivity Σ|g·w|',
  family: 'first-order',
  cite: 'Lee et al. 2019 (SNIP: Single-shot Network Pruning based on Connection Sensitivity)',
  formula: 'Σ_i |g_i·w_i| with g = ∂L/∂W on the calibration batch',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => {
    const g = await ctx.gradients();
    return new Map(ctx.layers.map((layer) => {
      const w = ctx.weight(layer);
      const grad = g.get(layer.name) as Float32Array;
      let s = 0;
      for (let i = 0; i < w.length; i++) s += Math.abs((w[i] as number) * (grad[i] as number));
      return [layer.name, s];
    }));
  },
});
