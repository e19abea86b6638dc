import { attr } from '../builder.js';
import { transposedPads, windowGeometry } from '../geometry.js';
import { defineGradRule } from '../rule.js';

/**
 * dX[i] = Σ over the windows o containing X[i] of dY[o] / divisor(o).
 *
 * The divisor is taken from onnxruntime's own AveragePool rather than
 * re-derived (count_include_pad, ceil_mode windows hanging off the edge):
 * pooling a tensor of ones gives count(o) / divisor(o), where count(o), the
 * number of real elements in window o, is a Conv of ones with a ones kernel.
 * Both are constants that onnxruntime folds. dY / divisor is then spread over
 * the windows by a ConvTranspose with a ones kernel, per channel.
 */
export const AveragePool = defineGradRule({
  opType: 'AveragePool',
  inputs: ['X'],
  backward: ({ x, y, dY, g, shape, node }) => {
    const xs = shape(x.X);
    const input = xs.dims.slice(2);
    const output = shape(y).dims.slice(2);
    const geo = windowGeometry(node, input);
    const { padsEnd, outputPadding } = transposedPads(geo, input, output);
    const type = g.typeOf(x.X);
    const ones = (dims: readonly number[]): string => {
      const data = new (type === 'float64' ? Float64Array : Float32Array)(dims.reduce((a, b) => a * b, 1)).fill(1);
      return g.constant(type, dims, data, 'ones');
    };
    const plane = ones([1, 1, ...input]);
    const kernel = ones([1, 1, ...geo.kernel]);
    const window = {
      strides: attr.ints(geo.strides),
      dilations: attr.ints(geo.dilations),
      kernel_shape: attr.ints(geo.kernel),
      pads: attr.ints([...geo.padsBegin, ...padsEnd]),
    };
    const meanOfOnes = g.op('AveragePool', [plane], Object.fromEntries(node.attributes));
    const count = g.op('Conv', [plane, kernel], window);
    const perWindow = g.mul(dY, g.div(meanOfOnes, count));
    const planes = g.reshapeTo(perWindow, [-1, 1, ...output]);
    const spread = g.op('ConvTranspose', [planes, kernel], { ...window, output_padding: attr.ints(outputPadding) });
    return { X: g.reshape(spread, g.shapeOf(x.X)) };
  },
});
