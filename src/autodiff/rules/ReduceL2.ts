import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { reductionAxes } from '../rule-helpers.js';

/** dX = dY·X / Y, and 0 where Y = 0 (as torch's norm). */
export const ReduceL2 = defineGradRule({
  opType: 'ReduceL2',
  inputs: ['data', 'axes'],
  backward: (ctx) => {
    const { x, y, dY, g, node } = ctx;
    const axes = reductionAxes(ctx, 18);
    const keep = attrInt(node, 'keepdims', 1) === 1;
    const norm = keep ? y : g.unsqueeze(y, axes);
    const zero = g.scalarLike(0, norm);
    const isZero = g.equal(norm, zero);
    const safe = g.where(isZero, g.scalarLike(1, norm), norm);
    const ratio = g.where(isZero, zero, g.div(keep ? dY : g.unsqueeze(dY, axes), safe));
    return { data: g.mul(x.data, ratio) };
  },
});
