import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { reductionAxes } from '../rule-helpers.js';

/** dX = 2·X·dY (dY broadcast back over the reduced axes). */
export const ReduceSumSquare = defineGradRule({
  opType: 'ReduceSumSquare',
  inputs: ['data', 'axes'],
  backward: (ctx) => {
    const { x, dY, g, node } = ctx;
    const axes = reductionAxes(ctx, 18);
    const kept = attrInt(node, 'keepdims', 1) === 1 ? dY : g.unsqueeze(dY, axes);
    return { data: g.mul(g.scale(x.data, 2), kept) };
  },
});
