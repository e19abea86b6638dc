import { attrInt } from '../../onnx/attrs.js';
import { defineGradRule } from '../rule.js';
import { reductionAxes } from '../rule-helpers.js';

/** dX = dY / n broadcast back over the reduced axes (n elements per mean). */
export const ReduceMean = defineGradRule({
  opType: 'ReduceMean',
  inputs: ['data', 'axes'],
  backward: (ctx) => {
    const { x, y, dY, g, shape, node } = ctx;
    const axes = reductionAxes(ctx, 18);
    const kept = attrInt(node, 'keepdims', 1) === 1 ? dY : g.unsqueeze(dY, axes);
    const xs = shape(x.data);
    let scaled: string;
    if (axes.some((a) => xs.dynamic[a])) {
      const type = g.typeOf(dY);
      const ratio = g.div(g.cast(g.op('Size', [y]), type), g.cast(g.op('Size', [x.data]), type));
      scaled = g.mul(kept, ratio);
    } else {
      scaled = g.scale(kept, 1 / axes.reduce((p, a) => p * (xs.dims[a] as number), 1));
    }
    return { data: g.expand(scaled, g.shapeOf(x.data)) };
  },
});
