/** Measured output change: mean squared change of the logits when the layer alone is perturbed. */
import { defineCriterion } from './criterion.js';
import { meanSquaredError, perturbedLogits } from './output-divergence.js';

export default defineCriterion({
  id: 'output-mse',
  title: 'Logit MSE under the perturbation',
  family: 'output',
  cite: 'safer baseline: the logit-space counterpart of the KL sensitivity of Cai et al. 2020 (ZeroQ)',
  formula: 'mean over calibration images and classes of (f(x; P(W)) − f(x; W))², default P = quant:4',
  needs: { data: true, gradients: false, hvp: false },
  perturbation: { default: 'quant:4', accepts: 'all' },
  compute: async (ctx) => {
    const base = await ctx.baseLogits();
    const perturbed = await perturbedLogits(ctx);
    return new Map(ctx.layers.map((layer) => [layer.name, meanSquaredError(perturbed.get(layer.name) as Float32Array, base)]));
  },
});
