import { attrInts } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';

/** dX = dY transposed by the inverse permutation. */
export const Transpose = defineGradRule({
  opType: 'Transpose',
  inputs: ['data'],
  backward: ({ x, dY, g, shape, node }) => {
    const rank = shape(x.data).dims.length;
    const perm = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return { data: g.transpose(dY, inverse) };
  },
});
