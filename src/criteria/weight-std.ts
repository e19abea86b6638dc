/** Population standard deviation of the weights (bias excluded). */
import { defineCriterion } from './criterion.js';
import { perLayer } from './weights.js';

export default defineCriterion({
  id: 'weight-std',
  title: 'Standard deviation of the weights',
  family: 'data-free',
  cite: 'safer baseline',
  formula: '√(Σ(w − w̄)² / n)',
  needs: { data: false, gradients: false, hvp: false },
  compute: async (ctx) => perLayer(ctx, (layer) => {
    const w = ctx.weight(layer);
    if (w.length === 0) return 0;
    let mean = 0;
    for (let i = 0; i < w.length; i++) mean += w[i] as number;
    mean /= w.length;
    let ss = 0;
    for (let i = 0; i < w.length; i++) ss += ((w[i] as number) - mean) ** 2;
    return Math.sqrt(ss / w.length);
  }),
});
