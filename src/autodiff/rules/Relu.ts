import { defineGradRule } from '../rule.js';

/** dX = dY · (Y > 0). Reads Y rather than X; the subgradient at 0 is 0 (as in torch). */
export const Relu = defineGradRule({
  opType: 'Relu',
  inputs: ['X'],
  backward: ({ y, dY, g }) => ({ X: g.mask(dY, g.greater(y, g.scalarLike(0, y))) }),
});
