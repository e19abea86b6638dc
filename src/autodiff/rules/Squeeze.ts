import { defineGradRule } from '../rule.js';

/** dX = dY reshaped back to the shape of X. */
export const Squeeze = defineGradRule({
  opType: 'Squeeze',
  inputs: ['data', 'axes'],
  backward: ({ x, dY, g }) => ({ data: g.reshape(dY, g.shapeOf(x.data)) }),
});
