import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { normAxis, unsupported } from '../rule-helpers.js';

/**
 * dX = Σ over index entries q of dY[…, q, …] added at row indices[q]: with
 * X viewed as [P, V, R] around the gathered axis and dY as [P, Q, R], dX is
 * the product of the one-hot matrix [V, Q] of the indices with dY, so
 * repeated indices accumulate. Negative indices count from the end.
 */
export const Gather = defineGradRule({
  opType: 'Gather',
  inputs: ['data', 'indices'],
  backward: (ctx) => {
    const { x, dY, g, shape, node } = ctx;
    const xs = shape(x.data);
    const axis = normAxis(attrInt(node, 'axis', 0), xs.dims.length);
    const is = shape(x.indices);
    if (xs.dynamic.slice(axis).some((d) => d) || is.dynamic.some((d) => d)) throw unsupported(ctx, 'gathering along or after a batch-sized axis');
    const V = xs.dims[axis] as number;
    const Q = is.dims.reduce((a, b) => a * b, 1);
    const R = xs.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const known = ctx.ints(x.indices);
    let indices: string;
    if (known) {
      indices = g.constant('int64', [1, Q], BigInt64Array.from(known, (i) => BigInt(i < 0 ? i + V : i)), 'indices');
    } else {
      const raw = g.reshapeTo(g.cast(x.indices, 'int64'), [1, Q]);
      const zero = g.constant('int64', [], BigInt64Array.of(0n), 'zero');
      indices = g.where(g.less(raw, zero), g.add(raw, g.constant('int64', [], BigInt64Array.of(BigInt(V)), 'rows')), raw);
    }
    const rows = g.constant('int64', [V, 1], BigInt64Array.from({ length: V }, (_, i) => BigInt(i)), 'iota');
    const oneHot = g.cast(g.equal(rows, indices), g.typeOf(dY));
    const spread = g.matmul(oneHot, g.reshapeTo(dY, [-1, Q, R]));
    return { data: g.reshape(spread, g.shapeOf(x.data)) };
  },
});
