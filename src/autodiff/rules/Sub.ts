import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dA = dY, dB = −dY (unbroadcast). */
export const Sub = defineGradRule({
  opType: 'Sub',
  inputs: ['A', 'B'],
  backward: ({ x, y, dY, wants, g, shape }) => ({
    ...(wants.A ? { A: unbroadcast(g, dY, shape(y), x.A) } : {}),
    ...(wants.B ? { B: unbroadcast(g, g.neg(dY), shape(y), x.B) } : {}),
  }),
});
