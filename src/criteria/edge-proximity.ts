/** The rule of thumb that the first and last layers are the fragile ones (kept at high precision in most quantization work). */
import { defineCriterion } from './criterion.js';
import { perLayer } from './weights.js';

export default defineCriterion({
  id: 'edge-proximity',
  title: 'Closeness to the first or last layer',
  family: 'data-free',
  cite: 'common practice of keeping the first and last layers at full precision, e.g. Zhou et al. 2016 (DoReFa-Net)',
  formula: '1 / (1 + min(i, L − 1 − i)) for the i-th of L layers (from 0)',
  needs: { data: false, gradients: false, hvp: false },
  compute: async (ctx) => perLayer(ctx, (layer) => 1 / (1 + Math.min(layer.index, ctx.layers.length - 1 - layer.index))),
});
