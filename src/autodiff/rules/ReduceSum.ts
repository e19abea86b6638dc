import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { reductionAxes } from '../rule-helpers.js';

/** dX = dY broadcast back over the reduced axes. */
export const ReduceSum = defineGradRule({
  opType: 'ReduceSum',
  inputs: ['data', 'axes'],
  backward: (ctx) => {
    const { x, dY, g, node } = ctx;
    const axes = reductionAxes(ctx, 13);
    const kept = attrInt(node, 'keepdims', 1) === 1 ? dY : g.unsqueeze(dY, axes);
    return { data: g.expand(kept, g.shapeOf(x.data)) };
  },
});
