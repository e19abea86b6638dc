/** L2 norm of the weight tensor (bias excluded). */
import { defineCriterion } from './criterion.js';
import { perLayer, sumSquares } from './weights.js';

export default defineCriterion({
  id: 'l2-norm',
  title: 'L2 norm of the weights',
  family: 'data-free',
  cite: 'Han et al. 2015 (Learning both Weights and Connections), per layer',
  formula: '√(Σw²)',
  needs: { data: false, gradients: false, hvp: false },
  compute: async (ctx) => perLayer(ctx, (layer) => Math.sqrt(sumSquares(ctx.weight(layer)))),
});
