import { attrFloat, attrInt } from '../../onnx/attrs.js';
import type { Value } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { normAxis } from '../rule-helpers.js';
import { unbroadcast } from '../unbroadcast.js';

/**
 * Normalises over the axes from `axis` on: x̂ = (X − μ)·σ⁻¹, Y = x̂·Scale + B.
 * With G = dY·Scale and means ⟨·⟩ over the normalised axes:
 * dX = σ⁻¹·(G − ⟨G⟩ − x̂·⟨G·x̂⟩); dScale = Σ dY·x̂ and dB = Σ dY over the other axes.
 */
export const LayerNormalization = defineGradRule({
  opType: 'LayerNormalization',
  inputs: ['X', 'Scale', 'B'],
  backward: ({ x, y, dY, wants, g, shape, node }) => {
    const xs = shape(x.X);
    const rank = xs.dims.length;
    const first = normAxis(attrInt(node, 'axis', -1), rank);
    const axes = Array.from({ length: rank - first }, (_, i) => first + i);
    const n = axes.reduce((p, a) => p * (xs.dims[a] as number), 1);
    const mean = (v: Value): Value => g.scale(g.reduceSum(v, axes, true), 1 / n);
    const centred = g.sub(x.X, mean(x.X));
    const variance = mean(g.mul(centred, centred));
    const invStd = g.reciprocal(g.sqrt(g.add(variance, g.scalarLike(attrFloat(node, 'epsilon', 1e-5), variance))));
    const xhat = g.mul(centred, invStd);
    const result: { X?: Value; Scale?: Value; B?: Value } = {};
    if (wants.X) {
      const G = g.mul(dY, x.Scale);
      result.X = g.mul(invStd, g.sub(g.sub(G, mean(G)), g.mul(xhat, mean(g.mul(G, xhat)))));
    }
    if (wants.Scale) result.Scale = unbroadcast(g, g.mul(dY, xhat), shape(y), x.Scale);
    if (wants.B) result.B = unbroadcast(g, dY, shape(y), x.B);
    return result;
  },
});
