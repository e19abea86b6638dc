import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dX = dY where X > 0, slope·dY elsewhere; dSlope = Σ dY·X where X ≤ 0 (slope broadcasts to X). */
export const PRelu = defineGradRule({
  opType: 'PRelu',
  inputs: ['X', 'slope'],
  backward: ({ x, y, dY, wants, g, shape }) => {
    const positive = g.greater(x.X, g.scalarLike(0, x.X));
    const zero = g.scalarLike(0, dY);
    return {
      ...(wants.X ? { X: g.where(positive, dY, g.mul(dY, x.slope)) } : {}),
      ...(wants.slope ? { slope: unbroadcast(g, g.where(positive, zero, g.mul(dY, x.X)), shape(y), x.slope) } : {}),
    };
  },
});
