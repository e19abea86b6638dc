/** Optimal Brain Damage saliency with the empirical Fisher standing in for the Hessian diagonal: ½ Σ F·w². */
import { defineCriterion } from './criterion.js';
import { sumWithGradient } from './weights.js';

export default defineCriterion({
  id: 'fisher-obd',
  title: 'OBD saliency with the Fisher diagonal ½ Σ F·w²',
  family: 'first-order',
  cite: 'LeCun et al. 1990 (Optimal Brain Damage), with the empirical Fisher diagonal as in Theis et al. 2018 (Faster gaze prediction with dense networks and Fisher pruning)',
  formula: '½ Σ_i F_i·w_i² with F the mini-batch empirical Fisher diagonal of fisher',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => {
    const { fisher } = await ctx.gradientStatistics();
    return new Map([...sumWithGradient(ctx, fisher, (w, f) => f * w ** 2)].map(([name, s]) => [name, s / 2]));
  },
});
