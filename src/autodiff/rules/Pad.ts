import { attrString } from '../../onnx/attrs.js';
import type { Value } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { knownInts, normAxis, unsupported } from '../rule-helpers.js';

/**
 * Constant mode: dX = the part of dY that X filled (negative pads crop X, so
 * their gradient is padded back with zeros); d(constant_value) = Σ dY − Σ dX.
 */
export const Pad = defineGradRule({
  opType: 'Pad',
  inputs: ['data', 'pads', 'constant_value', 'axes'],
  backward: (ctx) => {
    const { x, dY, wants, g, shape, node } = ctx;
    if (attrString(node, 'mode', 'constant') !== 'constant') throw unsupported(ctx, `mode "${attrString(node, 'mode', '')}"`);
    const xs = shape(x.data);
    const rank = xs.dims.length;
    const pads = knownInts(ctx, 1, 'pads');
    const axes = x.axes === '' ? xs.dims.map((_, i) => i) : knownInts(ctx, 3, 'pad axes').map((a) => normAxis(a, rank));
    const grow = new Array<number>(2 * rank).fill(0);
    const starts: number[] = [];
    const ends: number[] = [];
    const sliced: number[] = [];
    axes.forEach((axis, i) => {
      const before = pads[i] as number;
      const after = pads[i + axes.length] as number;
      if (before === 0 && after === 0) return;
      if (xs.dynamic[axis]) throw unsupported(ctx, 'padding along the batch axis');
      grow[axis] = Math.max(0, -before);
      grow[axis + rank] = Math.max(0, -after);
      starts.push(Math.max(0, before));
      ends.push(Math.max(0, before) + (xs.dims[axis] as number));
      sliced.push(axis);
    });
    const dX = sliced.length === 0 ? g.pad(dY, grow) : g.slice(g.pad(dY, grow), starts, ends, sliced);
    const result: { data?: Value; constant_value?: Value } = {};
    if (wants.data) result.data = dX;
    if (wants.constant_value) {
      const all = (v: Value): Value => g.reduceSum(v, Array.from({ length: rank }, (_, i) => i), false);
      result.constant_value = g.sub(all(dY), all(dX));
    }
    return result;
  },
});
