import { defineGradRule } from '../rule.js';

/** dX = −dY · Y². */
export const Reciprocal = defineGradRule({
  opType: 'Reciprocal',
  inputs: ['X'],
  backward: ({ y, dY, g }) => ({ X: g.neg(g.mul(dY, g.mul(y, y))) }),
});
