/** The loss increase of removing the layer's weights, predicted by integrated gradients along W·α, α ∈ [0, 1]. */
import { defineCriterion } from './criterion.js';
import { integrateLossPath, pathDetails, type PathIntegral } from './integrated-gradients.js';

export default defineCriterion({
  id: 'integrated-gradients-removal',
  title: 'Integrated gradients along W·α (predicted loss change of removing the layer)',
  family: 'path',
  cite: 'Sundararajan et al. 2017 (Axiomatic Attribution for Deep Networks), with the zero-weight baseline in weight space',
  formula: '−Σ W ⊙ ∫₀¹ ∇L(α·W) dα ≈ L(0) − L(W) (bias kept), trapezoid rule on m + 1 points (default m = 16)',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => {
    const results = new Map<string, PathIntegral>();
    for (const layer of ctx.layers) {
      results.set(layer.name, await integrateLossPath(ctx, layer, new Map([[layer.name, new Float32Array(ctx.weight(layer).length)]])));
    }
    const scores = new Map([...results].map(([name, r]) => [name, r.predicted]));
    return { scores, details: pathDetails(results, ctx.settings.integrationSteps) };
  },
});
