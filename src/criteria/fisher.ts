/** Empirical Fisher information of the layer: the trace of its block, from mini-batch gradients. */
import { defineCriterion } from './criterion.js';

export default defineCriterion({
  id: 'fisher',
  title: 'Empirical Fisher trace Σ g²',
  family: 'first-order',
  cite: 'Kirkpatrick et al. 2017 (Overcoming catastrophic forgetting, EWC): the diagonal empirical Fisher, summed per layer',
  formula: 'Σ_i Σ_b (n_b/N)·g_{b,i}² with g_b = ∂L_b/∂W on calibration mini-batches b of --gradient-batch images (default 32)',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => {
    const stats = await ctx.gradientStatistics();
    const scores = new Map(ctx.layers.map((layer) => [layer.name, (stats.fisher.get(layer.name) as Float64Array).reduce((a, b) => a + b, 0)]));
    return { scores, details: { batch_size: stats.batchSize, batches: stats.batches, images: stats.count } };
  },
});
