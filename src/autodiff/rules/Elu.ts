import { attrFloat } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';

/** dX = dY where X > 0, dY·(Y + α) elsewhere. */
export const Elu = defineGradRule({
  opType: 'Elu',
  inputs: ['X'],
  backward: ({ x, y, dY, g, node }) => {
    const alpha = attrFloat(node, 'alpha', 1);
    return { X: g.where(g.greater(x.X, g.scalarLike(0, x.X)), dY, g.mul(dY, g.add(y, g.scalarLike(alpha, y)))) };
  },
});
