import { defineGradRule } from '../rule.js';

/** dX = dY reshaped back to the shape of X. */
export const Flatten = defineGradRule({
  opType: 'Flatten',
  inputs: ['input'],
  backward: ({ x, dY, g }) => ({ input: g.reshape(dY, g.shapeOf(x.input)) }),
});
