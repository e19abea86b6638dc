import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dX = dY where the condition holds, dY' = dY where it does not (unbroadcast). */
export const Where = defineGradRule({
  opType: 'Where',
  inputs: ['condition', 'X', 'Y'],
  backward: ({ x, y, dY, wants, g, shape }) => {
    const zero = g.scalarLike(0, dY);
    return {
      ...(wants.X ? { X: unbroadcast(g, g.where(x.condition, dY, zero), shape(y), x.X) } : {}),
      ...(wants.Y ? { Y: unbroadcast(g, g.where(x.condition, zero, dY), shape(y), x.Y) } : {}),
    };
  },
});
