import { defineGradRule } from '../rule.js';

/** dX = dY · 2/√π · exp(−X²). */
export const Erf = defineGradRule({
  opType: 'Erf',
  inputs: ['input'],
  backward: ({ x, dY, g }) => {
    const X = x.input;
    return { input: g.mul(dY, g.scale(g.exp(g.neg(g.mul(X, X))), 2 / Math.sqrt(Math.PI))) };
  },
});
