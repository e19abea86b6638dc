import { defineGradRule } from '../rule.js';

/** dX = 0 for X < −3, dY·(X/3 + 1/2) for −3 ≤ X ≤ 3, dY above (torch's convention at ±3). */
export const HardSwish = defineGradRule({
  opType: 'HardSwish',
  inputs: ['X'],
  backward: ({ x, dY, g }) => {
    const X = x.X;
    const middle = g.mul(dY, g.add(g.scale(X, 1 / 3), g.scalarLike(0.5, X)));
    const upper = g.where(g.lessOrEqual(X, g.scalarLike(3, X)), middle, dY);
    return { X: g.where(g.less(X, g.scalarLike(-3, X)), g.scalarLike(0, dY), upper) };
  },
});
