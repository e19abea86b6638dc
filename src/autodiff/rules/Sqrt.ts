import { defineGradRule } from '../rule.js';

/** dX = dY / (2Y). */
export const Sqrt = defineGradRule({
  opType: 'Sqrt',
  inputs: ['X'],
  backward: ({ y, dY, g }) => ({ X: g.div(g.scale(dY, 0.5), y) }),
});
