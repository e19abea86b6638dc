import { defineGradRule } from '../rule.js';

/** Y = X·tanh(softplus(X)); dX = dY·(t + X·sigmoid(X)·(1 − t²)) with t = tanh(softplus(X)). */
export const Mish = defineGradRule({
  opType: 'Mish',
  inputs: ['X'],
  backward: ({ x, dY, g }) => {
    const X = x.X;
    const t = g.op('Tanh', [g.op('Softplus', [X])]);
    const slope = g.add(t, g.mul(g.mul(X, g.sigmoid(X)), g.sub(g.scalarLike(1, X), g.mul(t, t))));
    return { X: g.mul(dY, slope) };
  },
});
