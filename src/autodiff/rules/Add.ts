import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dA = dY, dB = dY, each summed over the axes it was broadcast along. */
export const Add = defineGradRule({
  opType: 'Add',
  inputs: ['A', 'B'],
  backward: ({ x, y, dY, wants, g, shape }) => ({
    ...(wants.A ? { A: unbroadcast(g, dY, shape(y), x.A) } : {}),
    ...(wants.B ? { B: unbroadcast(g, dY, shape(y), x.B) } : {}),
  }),
});
