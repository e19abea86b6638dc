import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { normAxis } from '../rule-helpers.js';

/** dX = Y ⊙ (dY − Σ_axis dY ⊙ Y). */
export const Softmax = defineGradRule({
  opType: 'Softmax',
  inputs: ['input'],
  backward: ({ y, dY, g, shape, node }) => {
    const axis = normAxis(attrInt(node, 'axis', -1), shape(y).dims.length);
    return { input: g.mul(y, g.sub(dY, g.reduceSum(g.mul(dY, y), [axis], true))) };
  },
});
