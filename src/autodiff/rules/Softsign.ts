import { defineGradRule } from '../rule.js';

/** dX = dY / (1 + |X|)². */
export const Softsign = defineGradRule({
  opType: 'Softsign',
  inputs: ['input'],
  backward: ({ x, dY, g }) => {
    const d = g.add(g.scalarLike(1, x.input), g.op('Abs', [x.input]));
    return { input: g.div(dY, g.mul(d, d)) };
  },
});
