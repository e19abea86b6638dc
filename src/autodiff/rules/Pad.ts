import { attrString } from '../../onnx/attrs.js';
import type { GradBuilder, Value } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { knownInts, normAxis, unsupported } from '../rule-helpers.js';

const FAR = 2 ** 53;

/**
 * constant: dX = the part of dY that X filled (negative pads crop X, so their
 * gradient is padded back with zeros); d(constant_value) = Σ dY − Σ dX.
 * reflect / edge: per padded axis, the border gradients are folded back onto
 * the rows they were copied from (mirrored without the edge row for reflect,
 * summed onto the edge row for edge).
 */
export const Pad = defineGradRule({
  opType: 'Pad',
  inputs: ['data', 'pads', 'constant_value', 'axes'],
  backward: (ctx) => {
    const { x, dY, wants, g, shape, node } = ctx;
    const mode = attrString(node, 'mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') throw unsupported(ctx, `mode "${mode}"`);
    const xs = shape(x.data);
    const rank = xs.dims.length;
    const pads = knownInts(ctx, 1, 'pads');
    const axes = x.axes === '' ? xs.dims.map((_, i) => i) : knownInts(ctx, 3, 'pad axes').map((a) => normAxis(a, rank));
    const padded = axes.map((axis, i) => ({ axis, before: pads[i] as number, after: pads[i + axes.length] as number }))
      .filter((p) => p.before !== 0 || p.after !== 0);
    if (padded.some((p) => xs.dynamic[p.axis])) throw unsupported(ctx, 'padding along the batch axis');
    if (mode !== 'constant') {
      if (padded.some((p) => p.before < 0 || p.after < 0)) throw unsupported(ctx, `negative pads in mode "${mode}"`);
      let G = dY;
      for (const p of padded) G = foldBack(g, G, rank, p.axis, xs.dims[p.axis] as number, p.before, p.after, mode);
      return { data: G, ...(wants.constant_value ? { constant_value: g.zerosLike(x.constant_value) } : {}) };
    }
    const grow = new Array<number>(2 * rank).fill(0);
    for (const p of padded) {
      grow[p.axis] = Math.max(0, -p.before);
      grow[p.axis + rank] = Math.max(0, -p.after);
    }
    const grown = g.pad(dY, grow);
    const dX = padded.length === 0 ? grown : g.slice(
      grown,
      padded.map((p) => Math.max(0, p.before)),
      padded.map((p) => Math.max(0, p.before) + (xs.dims[p.axis] as number)),
      padded.map((p) => p.axis),
    );
    const result: { data?: Value; constant_value?: Value } = {};
    if (wants.data) result.data = dX;
    if (wants.constant_value) {
      const all = (v: Value): Value => g.reduceSum(v, Array.from({ length: rank }, (_, i) => i), false);
      result.constant_value = g.sub(all(dY), all(dX));
    }
    return result;
  },
});

/** Adjoint of reflect/edge padding along one axis of size d. */
function foldBack(g: GradBuilder, G: Value, rank: number, axis: number, d: number, before: number, after: number, mode: 'reflect' | 'edge'): Value {
  let total = g.slice(G, [before], [before + d], [axis]);
  const place = (part: Value, start: number, length: number): Value => {
    const pads = new Array<number>(2 * rank).fill(0);
    pads[axis] = start;
    pads[axis + rank] = d - start - length;
    return g.pad(part, pads);
  };
  if (before > 0) {
    const left = g.slice(G, [0], [before], [axis]);
    total = g.add(total, mode === 'edge'
      ? place(g.reduceSum(left, [axis], true), 0, 1)
      : place(g.slice(left, [-1], [-FAR], [axis], [-1]), 1, before));
  }
  if (after > 0) {
    const right = g.slice(G, [before + d], [before + d + after], [axis]);
    total = g.add(total, mode === 'edge'
      ? place(g.reduceSum(right, [axis], true), d - 1, 1)
      : place(g.slice(right, [-1], [-FAR], [axis], [-1]), d - 1 - after, after));
  }
  return total;
}

