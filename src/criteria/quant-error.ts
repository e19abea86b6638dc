/** Squared quantization error of the weights, absolute: how far the layer moves when quantized. */
import { defineCriterion } from './criterion.js';
import { perLayer, perturbationEnergy } from './weights.js';

export default defineCriterion({
  id: 'quant-error',
  title: 'Quantization error ‖Q_b(W) − W‖²',
  family: 'data-free',
  cite: 'safer baseline; the weight term of Dong et al. 2020 (HAWQ-V2)',
  formula: '‖Q_b(W) − W‖² with Q_b = quant:b (default b = 4; quantc:b accepted)',
  needs: { data: false, gradients: false, hvp: false },
  perturbation: { default: 'quant:4', accepts: ['quant', 'quantc'] },
  compute: async (ctx) => perLayer(ctx, (layer) => perturbationEnergy(ctx, layer, ctx.perturb(layer))),
});
