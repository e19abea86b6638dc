import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { reductionAxes } from '../rule-helpers.js';

/** dX = dY at the elements equal to the reduced value, shared equally among ties (torch.amax / amin). */
export const ReduceMax = defineGradRule({
  opType: 'ReduceMax',
  inputs: ['data', 'axes'],
  backward: (ctx) => {
    const { x, y, dY, g, node } = ctx;
    const axes = reductionAxes(ctx, 18);
    const keep = attrInt(node, 'keepdims', 1) === 1;
    const kept = (v: string): string => (keep ? v : g.unsqueeze(v, axes));
    const hits = g.cast(g.equal(x.data, kept(y)), g.typeOf(dY));
    const share = g.div(kept(dY), g.reduceSum(hits, axes, true));
    return { data: g.mul(hits, share) };
  },
});
