import { defineGradRule } from '../rule.js';

/** dX = dY / X. */
export const Log = defineGradRule({
  opType: 'Log',
  inputs: ['input'],
  backward: ({ x, dY, g }) => ({ input: g.div(dY, x.input) }),
});
