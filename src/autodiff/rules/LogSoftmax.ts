import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { normAxis } from '../rule-helpers.js';

/** dX = dY − exp(Y) ⊙ Σ_axis dY. */
export const LogSoftmax = defineGradRule({
  opType: 'LogSoftmax',
  inputs: ['input'],
  backward: ({ y, dY, g, shape, node }) => {
    const axis = normAxis(attrInt(node, 'axis', -1), shape(y).dims.length);
    return { input: g.sub(dY, g.mul(g.exp(y), g.reduceSum(dY, [axis], true))) };
  },
});
