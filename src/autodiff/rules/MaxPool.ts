import { attrInt } from '../../onnx/attrs.js';
import { attr } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { unsupported } from '../rule-helpers.js';

/**
 * dX[i] = Σ of dY over the windows whose maximum is X[i]. The pool's Indices
 * output (row-major flat positions in X, first maximum on ties as in torch; the
 * pool is rerun to get it if the model does not) tells where each window's
 * maximum is, and dY is scattered onto them with reduction "add", so
 * overlapping windows (k = 3, s = 2) that pick the same element accumulate.
 */
export const MaxPool = defineGradRule({
  opType: 'MaxPool',
  inputs: ['X'],
  backward: (ctx) => {
    const { x, dY, g, node } = ctx;
    if (attrInt(node, 'storage_order', 0) !== 0) throw unsupported(ctx, 'storage_order = 1');
    const stored = ctx.outputs[1];
    const indices = stored !== undefined && stored !== '' ? stored : (g.node('MaxPool', [x.X], Object.fromEntries(node.attributes), 2)[1] as string);
    const flat = g.ints([-1]);
    const scattered = g.op('ScatterElements', [g.reshape(g.zerosLike(x.X), flat), g.reshape(indices, flat), g.reshape(dY, flat)], {
      axis: attr.int(0),
      reduction: attr.string('add'),
    });
    return { X: g.reshape(scattered, g.shapeOf(x.X)) };
  },
});
