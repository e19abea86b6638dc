import { attrFloat } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';

/** dX = γ·dY where X > 0, dY·(Y + α·γ) elsewhere. */
export const Selu = defineGradRule({
  opType: 'Selu',
  inputs: ['X'],
  backward: ({ x, y, dY, g, node }) => {
    const alpha = attrFloat(node, 'alpha', 1.67326319217681884765625);
    const gamma = attrFloat(node, 'gamma', 1.05070102214813232421875);
    const negative = g.mul(dY, g.add(y, g.scalarLike(alpha * gamma, y)));
    return { X: g.where(g.greater(x.X, g.scalarLike(0, x.X)), g.scale(dY, gamma), negative) };
  },
});
