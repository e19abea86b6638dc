import { defineGradRule } from '../rule.js';

/** dX = dY · Y. */
export const Exp = defineGradRule({
  opType: 'Exp',
  inputs: ['input'],
  backward: ({ y, dY, g }) => ({ input: g.mul(dY, y) }),
});
