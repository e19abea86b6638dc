/** Measured output change: KL divergence of the softmax when the layer alone is perturbed. */
import { defineCriterion } from './criterion.js';
import { meanKl, perturbedLogits } from './output-divergence.js';

export default defineCriterion({
  id: 'output-kl',
  title: 'Output KL divergence under the perturbation',
  family: 'output',
  cite: 'Cai et al. 2020 (ZeroQ), whose layer sensitivity is this KL on distilled data; here on real calibration images',
  formula: 'mean over calibration images of D_KL(softmax(f(x; P(W))) ‖ softmax(f(x; W))), default P = quant:4',
  needs: { data: true, gradients: false, hvp: false },
  perturbation: { default: 'quant:4', accepts: 'all' },
  compute: async (ctx) => {
    const base = await ctx.baseLogits();
    const { count } = await ctx.calibration();
    const perturbed = await perturbedLogits(ctx);
    return new Map(ctx.layers.map((layer) => [layer.name, meanKl(perturbed.get(layer.name) as Float32Array, base, count)]));
  },
});
