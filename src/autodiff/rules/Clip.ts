import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dX = dY where min ≤ X ≤ max (inclusive at the bounds, as in torch); dmin = Σ dY where X < min, dmax likewise. */
export const Clip = defineGradRule({
  opType: 'Clip',
  inputs: ['input', 'min', 'max'],
  backward: ({ x, y, dY, wants, g, shape }) => {
    const X = x.input;
    let inside: string | undefined;
    if (x.min !== '') inside = g.greaterOrEqual(X, x.min);
    if (x.max !== '') {
      const below = g.lessOrEqual(X, x.max);
      inside = inside === undefined ? below : g.and(inside, below);
    }
    return {
      input: inside === undefined ? dY : g.mask(dY, inside),
      ...(wants.min ? { min: unbroadcast(g, g.mask(dY, g.less(X, x.min)), shape(y), x.min) } : {}),
      ...(wants.max ? { max: unbroadcast(g, g.mask(dY, g.greater(X, x.max)), shape(y), x.max) } : {}),
    };
  },
});
