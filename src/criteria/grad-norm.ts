/** L2 norm of the loss gradient w.r.t. the layer's weights on the calibration batch. */
import { defineCriterion } from './criterion.js';
import { sumSquares } from './weights.js';

export default defineCriterion({
  id: 'grad-norm',
  title: 'Gradient L2 norm',
  family: 'first-order',
  cite: 'safer baseline (gradient magnitude; the per-layer gradient norm used e.g. by Abdelfattah et al. 2021, Zero-Cost Proxies)',
  formula: '‖∂L/∂W‖₂ with L the mean cross-entropy over the calibration batch',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => {
    const g = await ctx.gradients();
    return new Map(ctx.layers.map((layer) => [layer.name, Math.sqrt(sumSquares(g.get(layer.name) as Float32Array))]));
  },
});
