/** First-order Taylor estimate of the loss change when the whole layer is zeroed: |ΔL| ≈ |−g·w|. */
import { defineCriterion } from './criterion.js';

export default defineCriterion({
  id: 'taylor-first-order',
  title: 'First-order Taylor |Σ g·w| (loss change when the layer is zeroed)',
  family: 'first-order',
  cite: 'Molchanov et al. 2019 (Importance Estimation for Neural Network Pruning), per layer',
  formula: '|Σ_i g_i·w_i| with g = ∂L/∂W on the calibration batch',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => {
    const g = await ctx.gradients();
    return new Map(ctx.layers.map((layer) => {
      const w = ctx.weight(layer);
      const grad = g.get(layer.name) as Float32Array;
      let s = 0;
      for (let i = 0; i < w.length; i++) s += (w[i] as number) * (grad[i] as number);
      return [layer.name, Math.abs(s)];
    }));
  },
});
