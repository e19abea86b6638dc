import { defineGradRule } from '../rule.js';

/** dX = dY · (1 − Y²). */
export const Tanh = defineGradRule({
  opType: 'Tanh',
  inputs: ['X'],
  backward: ({ y, dY, g }) => ({ X: g.mul(dY, g.sub(g.scalarLike(1, y), g.mul(y, y))) }),
});
