import { attrFloat } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';

/** dX = α·dY where 0 < αX + β < 1 (strict, as in torch), 0 elsewhere. */
export const HardSigmoid = defineGradRule({
  opType: 'HardSigmoid',
  inputs: ['X'],
  backward: ({ x, dY, g, node }) => {
    const alpha = attrFloat(node, 'alpha', 0.2);
    const z = g.add(g.scale(x.X, alpha), g.scalarLike(attrFloat(node, 'beta', 0.5), x.X));
    const inside = g.and(g.greater(z, g.scalarLike(0, z)), g.less(z, g.scalarLike(1, z)));
    return { X: g.mask(g.scale(dY, alpha), inside) };
  },
});
