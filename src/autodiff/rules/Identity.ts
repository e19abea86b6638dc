import { defineGradRule } from '../rule.js';

/** dX = dY. */
export const Identity = defineGradRule({
  opType: 'Identity',
  inputs: ['input'],
  backward: ({ dY }) => ({ input: dY }),
});
