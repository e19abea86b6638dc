/** First-order Taylor estimate of the loss change when the whole layer is zeroed: |ΔL| ≈ |−g·w|. */
import { defineCriterion } from './criterion.js';
import { sumWithGradient } from './weights.js';

export default defineCriterion({
  id: 'taylor-first-order',
  title: 'First-order Taylor |Σ g·w| (loss change when the layer is zeroed)',
  family: 'first-order',
  cite: 'Molchanov et al. 2019 (Importance Estimation for Neural Network Pruning), per layer',
  formula: '|Σ_i g_i·w_i| with g = ∂L/∂W on the calibration batch',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => new Map([...sumWithGradient(ctx, await ctx.gradients(), (w, g) => w * g)].map(([name, s]) => [name, Math.abs(s)])),
});
