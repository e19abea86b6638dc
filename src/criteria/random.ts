/** Seeded uniform random scores: the floor every criterion must beat. */
import { defineCriterion } from './criterion.js';

export default defineCriterion({
  id: 'random',
  title: 'Random (seeded)',
  family: 'random',
  cite: 'safer baseline',
  formula: 'U(0, 1) per layer, drawn in layer order from xoshiro128** seeded with --seed',
  needs: { data: false, gradients: false, hvp: false },
  compute: async (ctx) => {
    const rng = ctx.rng();
    return new Map(ctx.layers.map((layer) => [layer.name, rng.nextFloat()]));
  },
});
