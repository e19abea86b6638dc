import { defineVariadicGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dX_i = dY / n (unbroadcast). */
export const Mean = defineVariadicGradRule({
  opType: 'Mean',
  backward: ({ inputs, outputs, dY, needs, g, shape }) => {
    const share = g.scale(dY, 1 / inputs.length);
    return inputs.map((v, i) => (needs(i) ? unbroadcast(g, share, shape(outputs[0] as string), v) : undefined));
  },
});
