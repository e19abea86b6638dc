import { attrInt } from '../../onnx/attrs.js';
import { attr } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { normAxis, unsupported } from '../rule-helpers.js';

/**
 * dX = zeros shaped like X with dY added back at the gathered rows: one
 * ScatterElements with reduction "add" along the axis (repeated indices
 * accumulate), its indices broadcast over the other axes. Indices of rank 0
 * or above 1 are brought to rank 1 by (un)flattening dY. Negative indices
 * count from the end.
 */
export const Gather = defineGradRule({
  opType: 'Gather',
  inputs: ['data', 'indices'],
  backward: (ctx) => {
    const { x, y, dY, g, shape, node } = ctx;
    const xs = shape(x.data);
    const rank = xs.dims.length;
    const axis = normAxis(attrInt(node, 'axis', 0), rank);
    const is = shape(x.indices);
    if (xs.dynamic[axis] || is.dynamic.some((d) => d)) throw unsupported(ctx, 'indices or a gathered axis whose size depends on the batch');
    const V = xs.dims[axis] as number;
    const Q = is.dims.reduce((a, b) => a * b, 1);
    const known = ctx.ints(x.indices);
    let indices: string;
    if (known) {
      indices = g.constant('int64', [Q], BigInt64Array.from(known, (i) => BigInt(i < 0 ? i + V : i)), 'indices');
    } else {
      const raw = g.reshapeTo(g.cast(x.indices, 'int64'), [Q]);
      const zero = g.constant('int64', [], BigInt64Array.of(0n), 'zero');
      indices = g.where(g.less(raw, zero), g.add(raw, g.constant('int64', [], BigInt64Array.of(BigInt(V)), 'rows')), raw);
    }
    // dY [P…, q…, R…] → [P…, Q, R…]
    let updates = dY;
    if (is.dims.length === 0) updates = g.unsqueeze(dY, [axis]);
    else if (is.dims.length > 1) {
      const ys = g.shapeOf(y);
      const yRank = shape(y).dims.length;
      const parts = [
        ...(axis > 0 ? [g.slice(ys, [0], [axis], [0])] : []),
        g.ints([Q]),
        ...(axis + is.dims.length < yRank ? [g.slice(ys, [axis + is.dims.length], [yRank], [0])] : []),
      ];
      updates = g.reshape(dY, g.concat(parts, 0));
    }
    const along = Array.from({ length: rank }, (_, i) => (i === axis ? Q : 1));
    const spread = g.expand(g.reshapeTo(indices, along), g.op('Shape', [updates]));
    return {
      data: g.op('ScatterElements', [g.zerosLike(x.data), spread, updates], { axis: attr.int(axis), reduction: attr.string('add') }),
    };
  },
});
