/**
 * The one place that undoes numpy broadcasting: the gradient of an operand
 * that was broadcast is summed over the axes it was broadcast along.
 */
import { assert } from '../errors.js';
import type { GradBuilder, Value } from './builder.js';

/** Sizes of a value's axes and which of them depend on the batch size. */
export interface DimInfo {
  readonly dims: readonly number[];
  readonly dynamic: readonly boolean[];
}

/** Sums `grad`, shaped like `from`, down to the shape of the forward value `target`. */
export function unbroadcast(g: GradBuilder, grad: Value, from: DimInfo, target: Value): Value {
  const to = g.shapes.get(target);
  const lead = from.dims.length - to.dims.length;
  assert(lead >= 0, () => `cannot unbroadcast rank ${from.dims.length} to rank ${to.dims.length} ("${target}")`);
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  to.dims.forEach((d, i) => {
    const j = lead + i;
    const fromBig = from.dims[j] !== 1 || from.dynamic[j] === true;
    if (d === 1 && !to.dynamic[i] && fromBig) axes.push(j);
  });
  if (axes.length === 0) return grad;
  const reduced = g.reduceSum(grad, axes, true);
  return g.squeeze(reduced, axes.filter((a) => a < lead));
}

/** The axes of `a` followed by those of `b`. */
export function concatDims(a: DimInfo, b: DimInfo): DimInfo {
  return { dims: [...a.dims, ...b.dims], dynamic: [...a.dynamic, ...b.dynamic] };
}
