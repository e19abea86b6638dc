import { attrFloat } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';

/** dX = dY where X > 0, α·dY elsewhere (at 0: α, as in torch). */
export const LeakyRelu = defineGradRule({
  opType: 'LeakyRelu',
  inputs: ['X'],
  backward: ({ x, dY, g, node }) => ({
    X: g.where(g.greater(x.X, g.scalarLike(0, x.X)), dY, g.scale(dY, attrFloat(node, 'alpha', 0.01))),
  }),
});
