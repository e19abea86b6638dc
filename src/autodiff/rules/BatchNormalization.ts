import { attrFloat, attrInt } from '../../onnx/attrs.js';
import type { Value } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { channelShape, nonChannelAxes, unsupported } from '../rule-helpers.js';

/**
 * Inference mode: Y = scale·(X − mean)·σ⁻¹ + B per channel, σ = √(var + ε).
 * dX = dY·scale·σ⁻¹; dB = Σ dY; dscale = Σ dY·x̂ with x̂ = (X − mean)·σ⁻¹;
 * dmean = −scale·σ⁻¹·Σ dY; dvar = −½·scale·σ⁻²·Σ dY·x̂ (sums over all axes but the channel).
 */
export const BatchNormalization = defineGradRule({
  opType: 'BatchNormalization',
  inputs: ['X', 'scale', 'B', 'input_mean', 'input_var'],
  backward: (ctx) => {
    const { x, dY, wants, g, shape, node } = ctx;
    if (attrInt(node, 'training_mode', 0) !== 0) throw unsupported(ctx, 'training mode (batch statistics)');
    const xs = shape(x.X);
    const rank = xs.dims.length;
    const perChannel = g.ints(channelShape(xs.dims[1] as number, rank));
    const bcast = (v: Value): Value => (rank > 2 ? g.reshape(v, perChannel) : v);
    const axes = nonChannelAxes(rank);
    const invStd = g.reciprocal(g.sqrt(g.add(x.input_var, g.scalarLike(attrFloat(node, 'epsilon', 1e-5), x.input_var))));
    const gain = g.mul(x.scale, invStd);
    const result: Partial<Record<'X' | 'scale' | 'B' | 'input_mean' | 'input_var', Value>> = {};
    if (wants.X) result.X = g.mul(dY, bcast(gain));
    const sumDY = wants.B || wants.input_mean ? g.reduceSum(dY, axes, false) : undefined;
    if (wants.B && sumDY) result.B = sumDY;
    if (wants.input_mean && sumDY) result.input_mean = g.neg(g.mul(gain, sumDY));
    if (wants.scale || wants.input_var) {
      const xhat = g.mul(g.sub(x.X, bcast(x.input_mean)), bcast(invStd));
      const sumDYxhat = g.reduceSum(g.mul(dY, xhat), axes, false);
      if (wants.scale) result.scale = sumDYxhat;
      if (wants.input_var) result.input_var = g.mul(g.scale(g.mul(gain, invStd), -0.5), sumDYxhat);
    }
    return result;
  },
});
