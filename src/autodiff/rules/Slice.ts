import type { Value } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { knownInts, normAxis, unsupported } from '../rule-helpers.js';

const FAR = 2 ** 53;

/**
 * dX = dY placed back where the slice took it from, zeros elsewhere: negative
 * steps are undone by reversing dY, steps > 1 by interleaving step − 1 zeros
 * after every element, then one Pad puts the block at its start.
 */
export const Slice = defineGradRule({
  opType: 'Slice',
  inputs: ['data', 'starts', 'ends', 'axes', 'steps'],
  backward: (ctx) => {
    const { x, y, dY, g, shape } = ctx;
    const xs = shape(x.data);
    const ys = shape(y);
    const rank = xs.dims.length;
    const starts = knownInts(ctx, 1, 'slice starts');
    const ends = knownInts(ctx, 2, 'slice ends');
    const axes = x.axes === '' ? starts.map((_, i) => i) : knownInts(ctx, 3, 'slice axes').map((a) => normAxis(a, rank));
    const steps = x.steps === '' ? starts.map(() => 1) : knownInts(ctx, 4, 'slice steps');
    const begin = new Array<number>(rank).fill(0);
    const end = new Array<number>(rank).fill(0);
    let G: Value = dY;
    axes.forEach((axis, i) => {
      const d = xs.dims[axis] as number;
      const step = steps[i] as number;
      const { start, count } = effectiveRange(starts[i] as number, ends[i] as number, step, d);
      if (xs.dynamic[axis]) {
        if (start !== 0 || step !== 1 || count !== d || !ys.dynamic[axis]) throw unsupported(ctx, 'slicing along the batch axis');
        return;
      }
      let low = start;
      if (step < 0) {
        G = g.slice(G, [-1], [-FAR], [axis], [-1]);
        low = start - (count - 1) * -step;
      }
      const stride = Math.abs(step);
      let length = count;
      if (stride > 1 && count > 0) {
        G = interleave(ctx, G, axis, ys.dims.map((s, j) => (j === axis ? count : s)), ys.dynamic, stride);
        length = Math.min(count * stride, d - low);
        if (length < count * stride) G = g.slice(G, [0], [length], [axis]);
      }
      begin[axis] = low;
      end[axis] = d - low - length;
    });
    return { data: g.pad(G, [...begin, ...end]) };
  },
});

/** Start index and number of elements of a slice, clamped as the ONNX spec does. */
export function effectiveRange(rawStart: number, rawEnd: number, step: number, d: number): { start: number; count: number } {
  let start = rawStart < 0 ? rawStart + d : rawStart;
  let end = rawEnd < 0 ? rawEnd + d : rawEnd;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), d);
    end = Math.min(Math.max(end, 0), d);
    return { start, count: Math.max(0, Math.ceil((end - start) / step)) };
  }
  start = Math.min(Math.max(start, 0), d - 1);
  end = Math.min(Math.max(end, -1), d - 1);
  return { start, count: Math.max(0, Math.ceil((start - end) / -step)) };
}

/** Inserts stride − 1 zeros after every element along `axis` (dims: the current shape of G). */
function interleave(ctx: Parameters<typeof unsupported>[0], G: Value, axis: number, dims: readonly number[], dynamic: readonly boolean[], stride: number): Value {
  const { g } = ctx;
  const rank = dims.length;
  const padded = g.pad(g.unsqueeze(G, [axis + 1]), Array.from({ length: 2 * (rank + 1) }, (_, j) => (j === rank + 1 + axis + 1 ? stride - 1 : 0)));
  const target = dims.map((s, j) => (j < axis ? (dynamic[j] ? 0 : s) : j === axis ? s * stride : dynamic[j] ? -1 : s));
  if (target.filter((t) => t === -1).length > 1) throw unsupported(ctx, 'strided slices of tensors with several batch-sized axes');
  return g.reshapeTo(padded, target);
}
