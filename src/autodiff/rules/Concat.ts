import { attrInt } from '../../onnx/attrs.js';
import { defineVariadicGradRule } from '../rule.js';
import { normAxis } from '../rule-helpers.js';

/** dX_i = the slice of dY that X_i filled: one Split of dY along the axis. */
export const Concat = defineVariadicGradRule({
  opType: 'Concat',
  backward: ({ inputs, outputs, dY, needs, g, shape, node }) => {
    const rank = shape(outputs[0] as string).dims.length;
    const axis = normAxis(attrInt(node, 'axis', 0), rank);
    if (inputs.length === 1) return [dY];
    const sizes = inputs.map((v) => shape(v));
    const sizeTensor = sizes.some((s) => s.dynamic[axis])
      ? g.concat(inputs.map((v) => g.dimOf(v, axis)), 0)
      : g.ints(sizes.map((s) => s.dims[axis] as number));
    const parts = g.split(dY, sizeTensor, axis, inputs.length);
    return inputs.map((_, i) => (needs(i) ? parts[i] : undefined));
  },
});
