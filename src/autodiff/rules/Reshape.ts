import { defineGradRule } from '../rule.js';

/** dX = dY reshaped back to the shape of X. */
export const Reshape = defineGradRule({
  opType: 'Reshape',
  inputs: ['data', 'shape'],
  backward: ({ x, dY, g }) => ({ data: g.reshape(dY, g.shapeOf(x.data)) }),
});
