import { defineGradRule } from '../rule.js';

/** dX = dY · Y · (1 − Y). */
export const Sigmoid = defineGradRule({
  opType: 'Sigmoid',
  inputs: ['X'],
  backward: ({ y, dY, g }) => ({ X: g.mul(dY, g.mul(y, g.sub(g.scalarLike(1, y), y))) }),
});
