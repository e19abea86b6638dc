import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { unsupported } from '../rule-helpers.js';

/**
 * dX[i] = Σ of dY over the windows whose maximum is X[i]. The pool is rerun
 * with its Indices output (row-major flat positions in X, first maximum on
 * ties as in torch), and dY is scattered onto them with reduction "add", so
 * overlapping windows (k = 3, s = 2) that pick the same element accumulate.
 */
export const MaxPool = defineGradRule({
  opType: 'MaxPool',
  inputs: ['X'],
  backward: (ctx) => {
    const { x, dY, g, node } = ctx;
    if (attrInt(node, 'storage_order', 0) !== 0) throw unsupported(ctx, 'storage_order = 1');
    const attributes = Object.fromEntries(node.attributes);
    const [, indices] = g.node('MaxPool', [x.X], attributes, 2);
    const flat = g.ints([-1]);
    const scattered = g.op('ScatterElements', [g.reshape(g.zerosLike(x.X), flat), g.reshape(indices as string, flat), g.reshape(dY, flat)], {
      axis: { type: 'int', value: 0 },
      reduction: { type: 'string', value: 'add' },
    });
    return { X: g.reshape(scattered, g.shapeOf(x.X)) };
  },
});
