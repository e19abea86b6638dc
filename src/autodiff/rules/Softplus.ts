import { defineGradRule } from '../rule.js';

/** dX = dY · sigmoid(X). */
export const Softplus = defineGradRule({
  opType: 'Softplus',
  inputs: ['X'],
  backward: ({ x, dY, g }) => ({ X: g.mul(dY, g.sigmoid(x.X)) }),
});
