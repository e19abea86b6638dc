/** Small helpers shared by several gradient rules. */
import { oneLine, UnsupportedOpError } from '../errors.js';
import { attrInt, attrInts } from '../onnx/attrs.js';
import type { GradBuilder, Value } from './builder.js';
import { unbroadcast } from './unbroadcast.js';
import { defineGradRule, type GradContext } from './rule.js';

/** An axis in [0, rank). */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * The axes of a reduction: the `axes` attribute before `inputSince`, the
 * second input from then on; all axes when none are given ([] for noop_with_empty_axes).
 */
export function reductionAxes(ctx: GradContext, inputSince: number): number[] {
  const rank = ctx.shapes.rank(ctx.inputs[0] as Value);
  let axes: readonly number[] | undefined;
  if (ctx.opset < inputSince) axes = attrInts(ctx.node, 'axes');
  else {
    const input = ctx.inputs[1];
    if (input !== undefined && input !== '') {
      axes = ctx.ints(input);
      if (axes === undefined) throw unsupported(ctx, 'reduction axes computed from the data');
    }
  }
  if (axes === undefined || axes.length === 0) {
    if (axes !== undefined && attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1) return [];
    return Array.from({ length: rank }, (_, i) => i);
  }
  return [...new Set(axes.map((a) => normAxis(a, rank)))].sort((a, b) => a - b);
}

/** Known integer values of input `i`, or an UnsupportedOpError that says what was needed. */
export function knownInts(ctx: GradContext, i: number, what: string): readonly number[] {
  const v = ctx.inputs[i];
  const ints = v === undefined || v === '' ? undefined : ctx.ints(v);
  if (ints === undefined) throw unsupported(ctx, `${what} computed from the data`);
  return ints;
}

/** An UnsupportedOpError for an op that has a rule, but not for this use of it. */
export function unsupported(ctx: GradContext, what: string): UnsupportedOpError {
  const e = new UnsupportedOpError(ctx.node.opType, ctx.opset, ctx.node.name, []);
  e.message = oneLine(`node "${ctx.node.name}" (${ctx.node.opType}, opset ${ctx.opset}): the gradient rule does not handle ${what}`);
  return e;
}

/** Shape [C, 1, ..., 1] that broadcasts a per-channel vector against an [N, C, ...] tensor of `rank`. */
export function channelShape(channels: number, rank: number): number[] {
  return [channels, ...Array.from({ length: Math.max(0, rank - 2) }, () => 1)];
}

/** All axes of a rank-`rank` tensor except the channel axis 1. */
export function nonChannelAxes(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i).filter((i) => i !== 1);
}

/** Backward of Max and Min: the gradient goes to the inputs equal to the output, shared equally on ties. */
export function tiedExtremum(ctx: GradContext & { readonly dY: Value }): (Value | undefined)[] {
  const { g, inputs, outputs, dY, needs } = ctx;
  const y = outputs[0] as Value;
  if (inputs.length === 1) return [dY];
  const type = g.typeOf(dY);
  const hits = inputs.map((v) => g.cast(g.equal(v, y), type));
  const share = g.div(dY, g.sum(hits));
  return inputs.map((v, i) => (needs(i) ? unbroadcast(g, g.mul(share, hits[i] as Value), ctx.shape(y), v) : undefined));
}

/**
 * [N, C, S…] → split C into g groups → permute (n, group, channel-in-group)
 * by `perm` → reshape to `to` + S. For g = 1 this is a plain transpose of the
 * first two axes. Used by Conv (X → [C/g, g·N, S]: sample n of group j becomes
 * input channel j·N + n; dY → [M, N, O]) and by ConvTranspose.
 */
export function regroup(g: GradBuilder, value: Value, groups: number, channels: number, spatial: readonly number[], perm: readonly [number, number, number], to: readonly number[]): Value {
  const rest = spatial.map((_, i) => i + 3);
  if (groups === 1) return g.transpose(value, [1, 0, ...spatial.map((_, i) => i + 2)]);
  const split = g.reshapeTo(value, [-1, groups, channels / groups, ...spatial]);
  return g.reshapeTo(g.transpose(split, [...perm, ...rest]), [...to, ...spatial]);
}

/**
 * The rule of ReduceMax and ReduceMin: dX = dY at the elements equal to the reduced value, shared
 * equally among ties (torch.amax / amin).
 */
export function reduceExtremumRule(opType: 'ReduceMax' | 'ReduceMin') {
  return defineGradRule({
    opType,
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
}
