import { defineGradRule } from '../rule.js';

/** dX = dY reshaped back to the shape of X. */
export const Unsqueeze = defineGradRule({
  opType: 'Unsqueeze',
  inputs: ['data', 'axes'],
  backward: ({ x, dY, g }) => ({ data: g.reshape(dY, g.shapeOf(x.data)) }),
});
