import { attrString } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';

const K = Math.sqrt(2 / Math.PI);

/**
 * none: dX = dY·(Φ(X) + X·φ(X)) with Φ(x) = ½(1 + erf(x/√2)), φ the normal density.
 * tanh: with t = tanh(√(2/π)·(X + 0.044715·X³)), dX = dY·(½(1 + t) + ½X(1 − t²)·√(2/π)(1 + 3·0.044715·X²)).
 */
export const Gelu = defineGradRule({
  opType: 'Gelu',
  inputs: ['X'],
  backward: ({ x, dY, g, node }) => {
    const X = x.X;
    const c = (v: number): string => g.scalarLike(v, X);
    if (attrString(node, 'approximate', 'none') === 'tanh') {
      const x2 = g.mul(X, X);
      const t = g.op('Tanh', [g.scale(g.mul(X, g.add(c(1), g.scale(x2, 0.044715))), K)]);
      const inner = g.scale(g.add(c(1), g.scale(x2, 3 * 0.044715)), K);
      const slope = g.add(g.scale(g.add(c(1), t), 0.5), g.mul(g.scale(X, 0.5), g.mul(g.sub(c(1), g.mul(t, t)), inner)));
      return { X: g.mul(dY, slope) };
    }
    const cdf = g.scale(g.add(c(1), g.op('Erf', [g.scale(X, Math.SQRT1_2)])), 0.5);
    const pdf = g.scale(g.exp(g.scale(g.mul(X, X), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return { X: g.mul(dY, g.add(cdf, g.mul(X, pdf))) };
  },
});
