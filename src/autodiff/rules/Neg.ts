import { defineGradRule } from '../rule.js';

/** dX = −dY. */
export const Neg = defineGradRule({
  opType: 'Neg',
  inputs: ['X'],
  backward: ({ dY, g }) => ({ X: g.neg(dY) }),
});
