import { defineGradRule } from '../rule.js';
import { knownInts, unsupported } from '../rule-helpers.js';

/** dX = Σ of dY over the copies: dY viewed as [r₀, d₀, r₁, d₁, …] summed over the repeat axes. */
export const Tile = defineGradRule({
  opType: 'Tile',
  inputs: ['input', 'repeats'],
  backward: (ctx) => {
    const { x, dY, g, shape } = ctx;
    const xs = shape(x.input);
    const repeats = knownInts(ctx, 1, 'repeats');
    if (repeats.every((r) => r === 1)) return { input: dY };
    const view = xs.dims.flatMap((d, i) => [repeats[i] as number, xs.dynamic[i] ? -1 : d]);
    if (view.filter((v) => v === -1).length > 1) throw unsupported(ctx, 'tiling a tensor with several batch-sized axes');
    if (xs.dynamic.some((dyn, i) => dyn && repeats[i] !== 1)) throw unsupported(ctx, 'repeating along the batch axis');
    const axes = xs.dims.map((_, i) => 2 * i);
    return { input: g.reduceSum(g.reshapeTo(dY, view), axes, false) };
  },
});
