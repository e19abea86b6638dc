import { attrFloat } from '../../onnx/attrs.js';
import type { Value } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { channelShape, nonChannelAxes } from '../rule-helpers.js';

/**
 * Per sample and channel over the spatial axes: x̂ = (X − μ)·σ⁻¹, Y = scale·x̂ + B.
 * With G = dY·scale and spatial means ⟨·⟩: dX = σ⁻¹·(G − ⟨G⟩ − x̂·⟨G·x̂⟩);
 * dscale = Σ dY·x̂ and dB = Σ dY over batch and spatial axes.
 */
export const InstanceNormalization = defineGradRule({
  opType: 'InstanceNormalization',
  inputs: ['input', 'scale', 'B'],
  backward: ({ x, dY, wants, g, shape, node }) => {
    const xs = shape(x.input);
    const rank = xs.dims.length;
    const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    const n = spatial.reduce((p, a) => p * (xs.dims[a] as number), 1);
    const mean = (v: Value): Value => g.scale(g.reduceSum(v, spatial, true), 1 / n);
    const centred = g.sub(x.input, mean(x.input));
    const variance = mean(g.mul(centred, centred));
    const invStd = g.reciprocal(g.sqrt(g.add(variance, g.scalarLike(attrFloat(node, 'epsilon', 1e-5), variance))));
    const xhat = g.mul(centred, invStd);
    const result: { input?: Value; scale?: Value; B?: Value } = {};
    if (wants.input) {
      const G = g.mul(dY, g.reshape(x.scale, g.ints(channelShape(xs.dims[1] as number, rank))));
      result.input = g.mul(invStd, g.sub(g.sub(G, mean(G)), g.mul(xhat, mean(g.mul(G, xhat)))));
    }
    if (wants.scale) result.scale = g.reduceSum(g.mul(dY, xhat), nonChannelAxes(rank), false);
    if (wants.B) result.B = g.reduceSum(dY, nonChannelAxes(rank), false);
    return result;
  },
});
