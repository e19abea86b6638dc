import { defineGradRule } from '../rule.js';

/** dX = dY · sign(X); 0 at X = 0 (as in torch). */
export const Abs = defineGradRule({
  opType: 'Abs',
  inputs: ['X'],
  backward: ({ x, dY, g }) => ({ X: g.mul(dY, g.op('Sign', [x.X])) }),
});
