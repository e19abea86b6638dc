import type { Value } from '../builder.js';
import { defineGradRule } from '../rule.js';
import { concatDims, unbroadcast, type DimInfo } from '../unbroadcast.js';

/**
 * dA = dY·Bᵀ, dB = Aᵀ·dY over the broadcast batch axes (then unbroadcast).
 * 1-D operands are promoted as numpy does; a 2-D B under a batched A gets
 * one flat product instead of a batch of products summed afterwards.
 */
export const MatMul = defineGradRule({
  opType: 'MatMul',
  inputs: ['A', 'B'],
  backward: ({ x, y, dY, wants, g, shape }) => {
    const a = shape(x.A);
    const b = shape(x.B);
    if (a.dims.length === 1 && b.dims.length === 1) {
      return { ...(wants.A ? { A: g.mul(dY, x.B) } : {}), ...(wants.B ? { B: g.mul(dY, x.A) } : {}) };
    }
    // Promote to matrices (A [k] → [1, k], B [k] → [k, 1]) and give dY its dropped axes back.
    const aVec = a.dims.length === 1;
    const bVec = b.dims.length === 1;
    const A = aVec ? g.unsqueeze(x.A, [0]) : x.A;
    const B = bVec ? g.unsqueeze(x.B, [1]) : x.B;
    const out = shape(y);
    const batchRank = out.dims.length - (aVec || bVec ? 1 : 2);
    const batch: DimInfo = { dims: out.dims.slice(0, batchRank), dynamic: out.dynamic.slice(0, batchRank) };
    const G = g.unsqueeze(dY, aVec ? [batchRank] : bVec ? [batchRank + 1] : []);
    const last2 = (info: DimInfo): DimInfo => ({ dims: info.dims.slice(-2), dynamic: info.dynamic.slice(-2) });
    const result: { A?: Value; B?: Value } = {};
    if (wants.A) {
      const full = g.matmul(G, bVec ? g.unsqueeze(x.B, [0]) : g.transposeLast2(B, b.dims.length));
      result.A = aVec
        ? unbroadcast(g, g.squeeze(full, [batchRank]), concatDims(batch, a), x.A)
        : unbroadcast(g, full, concatDims(batch, last2(a)), x.A);
    }
    if (wants.B) {
      if (!bVec && b.dims.length === 2 && a.dims.length > 2) {
        const k = a.dims[a.dims.length - 1] as number;
        const m = b.dims[1] as number;
        result.B = g.matmul(g.transposeLast2(g.reshapeTo(A, [-1, k]), 2), g.reshapeTo(G, [-1, m]));
      } else {
        const full = g.matmul(aVec ? g.unsqueeze(x.A, [1]) : g.transposeLast2(A, a.dims.length), G);
        result.B = bVec
          ? unbroadcast(g, g.squeeze(full, [batchRank + 1]), concatDims(batch, b), x.B)
          : unbroadcast(g, full, concatDims(batch, last2(b)), x.B);
      }
    }
    return result;
  },
});
