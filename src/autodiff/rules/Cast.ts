import { defineGradRule } from '../rule.js';

/** Between float types: dX = dY cast back to the type of X (casts to integers carry no gradient). */
export const Cast = defineGradRule({
  opType: 'Cast',
  inputs: ['input'],
  backward: ({ x, dY, g }) => ({ input: g.cast(dY, g.typeOf(x.input)) }),
});
