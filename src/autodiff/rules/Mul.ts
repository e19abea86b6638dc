import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dA = dY · B, dB = dY · A (unbroadcast). */
export const Mul = defineGradRule({
  opType: 'Mul',
  inputs: ['A', 'B'],
  backward: ({ x, y, dY, wants, g, shape }) => ({
    ...(wants.A ? { A: unbroadcast(g, g.mul(dY, x.B), shape(y), x.A) } : {}),
    ...(wants.B ? { B: unbroadcast(g, g.mul(dY, x.A), shape(y), x.B) } : {}),
  }),
});
