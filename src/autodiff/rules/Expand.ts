import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dX = dY summed over the axes X was expanded along. */
export const Expand = defineGradRule({
  opType: 'Expand',
  inputs: ['input', 'shape'],
  backward: ({ x, y, dY, g, shape }) => ({ input: unbroadcast(g, dY, shape(y), x.input) }),
});
