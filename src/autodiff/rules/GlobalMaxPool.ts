import { attr } from '../builder.js';
import { defineGradRule } from '../rule.js';

/** dX = dY at the first maximal position of each channel (as torch's adaptive max pool), 0 elsewhere. */
export const GlobalMaxPool = defineGradRule({
  opType: 'GlobalMaxPool',
  inputs: ['X'],
  backward: ({ x, dY, g, shape }) => {
    const xs = shape(x.X);
    const positions = xs.dims.slice(2).reduce((a, b) => a * b, 1);
    const flat = g.reshapeTo(x.X, [0, 0, positions]);
    const first = g.op('ArgMax', [flat], { axis: attr.int(2), keepdims: attr.int(1) });
    const iota = g.constant('int64', [positions], BigInt64Array.from({ length: positions }, (_, i) => BigInt(i)), 'iota');
    const chosen = g.equal(iota, first);
    const spread = g.where(chosen, g.reshapeTo(dY, [0, 0, 1]), g.scalarLike(0, dY));
    return { X: g.reshape(spread, g.shapeOf(x.X)) };
  },
});
