import { attrFloat } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';

/** dX = dY where X > 0, dY·exp(X/α) elsewhere (1 at 0, as in torch). */
export const Celu = defineGradRule({
  opType: 'Celu',
  inputs: ['X'],
  backward: ({ x, dY, g, node }) => {
    const X = x.X;
    const negative = g.mul(dY, g.exp(g.scale(X, 1 / attrFloat(node, 'alpha', 1))));
    return { X: g.where(g.greater(X, g.scalarLike(0, X)), dY, negative) };
  },
});
