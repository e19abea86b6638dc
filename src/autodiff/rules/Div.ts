import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dA = dY / B, dB = −dY · Y / B (unbroadcast). */
export const Div = defineGradRule({
  opType: 'Div',
  inputs: ['A', 'B'],
  backward: ({ x, y, dY, wants, g, shape }) => {
    const dA = g.div(dY, x.B);
    return {
      ...(wants.A ? { A: unbroadcast(g, dA, shape(y), x.A) } : {}),
      ...(wants.B ? { B: unbroadcast(g, g.neg(g.mul(dA, y)), shape(y), x.B) } : {}),
    };
  },
});
