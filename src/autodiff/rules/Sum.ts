import { defineVariadicGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dX_i = dY (unbroadcast). */
export const Sum = defineVariadicGradRule({
  opType: 'Sum',
  backward: ({ inputs, outputs, dY, needs, g, shape }) =>
    inputs.map((v, i) => (needs(i) ? unbroadcast(g, dY, shape(outputs[0] as string), v) : undefined)),
});
