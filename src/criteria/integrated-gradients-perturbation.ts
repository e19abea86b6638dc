/** The loss increase a perturbation causes, predicted by integrated gradients along the path from P(W) to W. */
import { defineCriterion } from './criterion.js';
import { integrateLossPath, pathDetails, type PathIntegral } from './integrated-gradients.js';

export default defineCriterion({
  id: 'integrated-gradients-perturbation',
  title: 'Integrated gradients from P(W) to W (predicted loss change of the perturbation)',
  family: 'path',
  cite: 'Sundararajan et al. 2017 (Axiomatic Attribution for Deep Networks), applied to the weights along the perturbation',
  formula: '−Σ (W − P(W)) ⊙ ∫₀¹ ∇L(P(W) + α(W − P(W))) dα ≈ L(P(W)) − L(W), trapezoid rule on m + 1 points (default m = 16)',
  needs: { data: true, gradients: true, hvp: false },
  perturbation: { default: 'quant:4', accepts: 'all' },
  compute: async (ctx) => {
    const results = new Map<string, PathIntegral>();
    for (const layer of ctx.layers) {
      const p = ctx.perturb(layer);
      const start = new Map([[layer.name, p.weight]]);
      if (p.bias && layer.bias) start.set(layer.bias, p.bias);
      results.set(layer.name, await integrateLossPath(ctx, layer, start));
    }
    const scores = new Map([...results].map(([name, r]) => [name, r.predicted]));
    return { scores, details: pathDetails(results, ctx.settings.integrationSteps) };
  },
});
