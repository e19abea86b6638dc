/** Squared quantization error relative to the layer's energy: a noise-to-signal ratio. */
import { defineCriterion } from './criterion.js';
import { perLayer, perturbationEnergy, sumSquares } from './weights.js';

export default defineCriterion({
  id: 'quant-error-relative',
  title: 'Relative quantization error ‖Q_b(W) − W‖² / ‖W‖²',
  family: 'data-free',
  cite: 'safer baseline (quantization noise-to-signal ratio)',
  formula: '‖Q_b(W) − W‖² / ‖W‖² with Q_b = quant:b (default b = 4; 0 if W = 0)',
  needs: { data: false, gradients: false, hvp: false },
  perturbation: { default: 'quant:4', accepts: ['quant', 'quantc'] },
  compute: async (ctx) => perLayer(ctx, (layer) => {
    const energy = sumSquares(ctx.weight(layer));
    return energy > 0 ? perturbationEnergy(ctx, layer, ctx.perturb(layer)) / energy : 0;
  }),
});
