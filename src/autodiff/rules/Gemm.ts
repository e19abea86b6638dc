import { attrFloat, attrInt } from '../../onnx/attrs.js';
import { attr, type Value } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/**
 * Y = α·A'·B' + β·C with A' = transA ? Aᵀ : A, B' likewise.
 * dA' = α·dY·B'ᵀ and dB' = α·A'ᵀ·dY, each emitted as one Gemm whose
 * transpose flags absorb the transposes; dC = β·dY (unbroadcast).
 */
export const Gemm = defineGradRule({
  opType: 'Gemm',
  inputs: ['A', 'B', 'C'],
  backward: ({ x, y, dY, wants, g, shape, node }) => {
    const alpha = attrFloat(node, 'alpha', 1);
    const beta = attrFloat(node, 'beta', 1);
    const transA = attrInt(node, 'transA', 0) === 1;
    const transB = attrInt(node, 'transB', 0) === 1;
    const gemm = (p: Value, q: Value, tp: boolean, tq: boolean): Value =>
      g.op('Gemm', [p, q], {
        alpha: attr.float(alpha),
        transA: attr.int(tp ? 1 : 0),
        transB: attr.int(tq ? 1 : 0),
      });
    const result: { A?: Value; B?: Value; C?: Value } = {};
    // dA = α·dY·B'ᵀ, or its transpose α·B'·dYᵀ when A is stored transposed.
    if (wants.A) result.A = transA ? gemm(x.B, dY, transB, true) : gemm(dY, x.B, false, !transB);
    // dB = α·A'ᵀ·dY, or its transpose α·dYᵀ·A' when B is stored transposed.
    if (wants.B) result.B = transB ? gemm(dY, x.A, true, transA) : gemm(x.A, dY, !transA, false);
    if (wants.C) result.C = unbroadcast(g, g.scale(dY, beta), shape(y), x.C);
    return result;
  },
});
