import { attr, type GradBuilder, type Value } from '../builder.js';
import { convGeometry, extent, transposedPads, type ConvGeometry } from '../geometry.js';
import { defineGradRule } from '../rule.js';
import { nonChannelAxes, regroup } from '../rule-helpers.js';

/**
 * X [N, C, S…], W [M, C/g, K…], Y [N, M, O…].
 *
 * dX: the adjoint of a strided correlation is a ConvTranspose with the same
 * weights, strides, dilations, groups and begin pads; the end pad and
 * output_padding are chosen so that the result has exactly the size of X,
 * including rows the forward windows never reached.
 *
 * dW[m, c, k] = Σ_n Σ_o dY[n, m, o] · Xpad[n, c, o·s + k·d]: a correlation
 * of X (batch and channel axes swapped, so channels become the batch and
 * samples the reduction axis) with dY as the kernel, whose stride is the
 * forward dilation and whose dilation is the forward stride. With groups,
 * both operands are regrouped so that group j of X meets group j of dY.
 * The end pad drops the r = (S + pads − extent) mod s rows no window used;
 * where that exceeds the pad, X is cropped instead.
 */
export const Conv = defineGradRule({
  opType: 'Conv',
  inputs: ['X', 'W', 'B'],
  backward: ({ x, y, dY, wants, g, shape, node }) => {
    const xs = shape(x.X);
    const ws = shape(x.W);
    const ys = shape(y);
    const input = xs.dims.slice(2);
    const output = ys.dims.slice(2);
    const geo = convGeometry(node, input, ws.dims);
    const result: { X?: Value; W?: Value; B?: Value } = {};
    if (wants.B) result.B = g.reduceSum(dY, nonChannelAxes(ys.dims.length), false);
    if (wants.X) {
      const { padsEnd, outputPadding } = transposedPads(geo, input, output);
      result.X = g.op('ConvTranspose', [dY, x.W], {
        strides: attr.ints(geo.strides),
        dilations: attr.ints(geo.dilations),
        group: attr.int(geo.group),
        kernel_shape: attr.ints(geo.kernel),
        pads: attr.ints([...geo.padsBegin, ...padsEnd]),
        output_padding: attr.ints(outputPadding),
      });
    }
    if (wants.W) result.W = weightGradient(g, x.X, dY, geo, input, output, xs.dims[1] as number, ys.dims[1] as number);
    return result;
  },
});

function weightGradient(g: GradBuilder, X: Value, dY: Value, geo: ConvGeometry, input: readonly number[], output: readonly number[], channels: number, outChannels: number): Value {
  const groups = geo.group;
  const padsEnd: number[] = [];
  const crop: number[] = [];
  for (let i = 0; i < geo.rank; i++) {
    const rest = ((input[i] as number) + (geo.padsBegin[i] as number) + (geo.padsEnd[i] as number) - extent(geo, i)) % (geo.strides[i] as number);
    const end = (geo.padsEnd[i] as number) - rest;
    padsEnd.push(Math.max(0, end));
    crop.push(Math.max(0, -end));
  }
  let source = X;
  if (crop.some((c) => c > 0)) {
    source = g.slice(X, input.map(() => 0), input.map((s, i) => s - (crop[i] as number)), input.map((_, i) => i + 2));
  }
  const kept = input.map((s, i) => s - (crop[i] as number));
  const xg = regroup(g, source, groups, channels, kept, [2, 1, 0], [channels / groups, -1]);
  const dyg = regroup(g, dY, groups, outChannels, output, [1, 2, 0], [outChannels, -1]);
  const dW = g.op('Conv', [xg, dyg], {
    strides: attr.ints(geo.dilations),
    dilations: attr.ints(geo.strides),
    group: attr.int(groups),
    kernel_shape: attr.ints(output),
    pads: attr.ints([...geo.padsBegin, ...padsEnd]),
  });
  // [C/g, M, K] → [M, C/g, K]
  return g.transpose(dW, [1, 0, ...input.map((_, i) => i + 2)]);
}

