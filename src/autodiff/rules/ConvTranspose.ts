import { attrInts, attrString } from '../../onnx/attrs.js';
import type { Node } from '../../onnx/ir.js';
import { attr, type Value } from '../builder.js';
import { convGeometry, extent, type ConvGeometry } from '../geometry.js';
import { defineGradRule } from '../rule.js';
import { nonChannelAxes, regroup } from '../rule-helpers.js';

/**
 * X [N, Cin, S…], W [Cin, Cout/g, K…], Y [N, Cout, T…]; Y[t] gathers X[x]·W[k] at t = x·s + k·d − pb.
 *
 * dX[x] = Σ_k W[k] · dY[x·s + k·d − pb]: a Conv of dY with W as it is stored
 * (Cin plays the output channels), same strides, dilations, groups and begin pads.
 * dW[ci, co, k] = Σ_n Σ_x X[n, ci, x] · dY[n, co, x·s + k·d − pb]: a Conv of dY
 * (batch and channels swapped) with X as the kernel, stride d and dilation s,
 * as for Conv's weight gradient with the roles of input and output exchanged.
 */
export const ConvTranspose = defineGradRule({
  opType: 'ConvTranspose',
  inputs: ['X', 'W', 'B'],
  backward: ({ x, y, dY, wants, g, shape, node }) => {
    const xs = shape(x.X);
    const ws = shape(x.W);
    const ys = shape(y);
    const input = xs.dims.slice(2);
    const output = ys.dims.slice(2);
    const geo = transposeGeometry(node, input, output, ws.dims);
    const outputPadding = attrInts(node, 'output_padding') ?? input.map(() => 0);
    const cin = xs.dims[1] as number;
    const cout = ys.dims[1] as number;
    const spatialAxes = input.map((_, i) => i + 2);
    const result: { X?: Value; W?: Value; B?: Value } = {};
    if (wants.B) result.B = g.reduceSum(dY, nonChannelAxes(ys.dims.length), false);
    if (wants.X) {
      const padsEnd = input.map((_, i) => Math.max(0, (geo.padsEnd[i] as number) - (outputPadding[i] as number)));
      let dX = g.op('Conv', [dY, x.W], {
        strides: attr.ints(geo.strides),
        dilations: attr.ints(geo.dilations),
        group: attr.int(geo.group),
        kernel_shape: attr.ints(geo.kernel),
        pads: attr.ints([...geo.padsBegin, ...padsEnd]),
      });
      const produced = input.map((_, i) =>
        Math.floor(((output[i] as number) + (geo.padsBegin[i] as number) + (padsEnd[i] as number) - extent(geo, i)) / (geo.strides[i] as number)) + 1);
      if (produced.some((p, i) => p !== input[i])) dX = g.slice(dX, input.map(() => 0), input, spatialAxes);
      result.X = dX;
    }
    if (wants.W) {
      const ends = input.map((_, i) => (geo.padsEnd[i] as number) - (outputPadding[i] as number));
      let source = dY;
      if (ends.some((e) => e < 0)) source = g.slice(dY, input.map(() => 0), output.map((t, i) => t + Math.min(0, ends[i] as number)), spatialAxes);
      const kept = output.map((t, i) => t + Math.min(0, ends[i] as number));
      const groups = geo.group;
      const dyg = regroup(g, source, groups, cout, kept, [2, 1, 0], [cout / groups, -1]);
      const xg = regroup(g, x.X, groups, cin, input, [1, 2, 0], [cin, -1]);
      const dW = g.op('Conv', [dyg, xg], {
        strides: attr.ints(geo.dilations),
        dilations: attr.ints(geo.strides),
        group: attr.int(groups),
        kernel_shape: attr.ints(input),
        pads: attr.ints([...geo.padsBegin, ...ends.map((e) => Math.max(0, e))]),
      });
      result.W = g.transpose(dW, [1, 0, ...spatialAxes]);
    }
    return result;
  },
});

/** Explicit pads of a ConvTranspose, resolving output_shape and auto_pad from the measured output size. */
function transposeGeometry(node: Node, input: readonly number[], output: readonly number[], weightDims: readonly number[]): ConvGeometry {
  const withoutAuto: Node = { ...node, attributes: new Map([...node.attributes].filter(([k]) => k !== 'auto_pad')) };
  const geo = convGeometry(withoutAuto, input, weightDims);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const hasOutputShape = attrInts(node, 'output_shape') !== undefined;
  if (autoPad === 'VALID') return { ...geo, padsBegin: input.map(() => 0), padsEnd: input.map(() => 0) };
  if (autoPad === 'NOTSET' && !hasOutputShape) return geo;
  const outputPadding = attrInts(node, 'output_padding') ?? input.map(() => 0);
  const padsBegin: number[] = [];
  const padsEnd: number[] = [];
  input.forEach((size, i) => {
    const total = (geo.strides[i] as number) * (size - 1) + (outputPadding[i] as number) + extent(geo, i) - (output[i] as number);
    const half = Math.floor(total / 2);
    padsBegin.push(autoPad === 'SAME_UPPER' ? half : total - half);
    padsEnd.push(autoPad === 'SAME_UPPER' ? total - half : half);
  });
  return { ...geo, padsBegin, padsEnd };
}
