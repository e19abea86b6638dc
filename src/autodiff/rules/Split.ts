import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { normAxis } from '../rule-helpers.js';

/** dX = the output gradients concatenated along the axis (zeros for outputs that receive none). */
export const Split = defineGradRule({
  opType: 'Split',
  inputs: ['input', 'split'],
  backward: ({ x, outputs, dYs, g, shape, node }) => {
    const axis = normAxis(attrInt(node, 'axis', 0), shape(x.input).dims.length);
    const parts = outputs.map((out, i) => dYs[i] ?? g.zerosLike(out));
    return { input: g.concat(parts, axis) };
  },
});
