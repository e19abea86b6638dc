/** Small reductions over weight arrays, in float64, shared by the weight-based criteria. */
import type { Layer } from '../layers/layer.js';
import type { PerturbResult } from '../perturb/index.js';
import type { CriterionContext } from './criterion-context.js';

/** One score per layer, in layer order. */
export function perLayer(ctx: CriterionContext, score: (layer: Layer) => number): Map<string, number> {
  return new Map(ctx.layers.map((layer) => [layer.name, score(layer)]));
}

/** Per layer, Σ_i term(w_i, g_i) over its weights w and a per-weight statistic g (a gradient, a Fisher diagonal), in float64. */
export function sumWithGradient(ctx: CriterionContext, gradients: ReadonlyMap<string, Float32Array | Float64Array>, term: (w: number, g: number) => number): Map<string, number> {
  return perLayer(ctx, (layer) => {
    const w = ctx.weight(layer);
    const g = gradients.get(layer.name) as Float32Array | Float64Array;
    let s = 0;
    for (let i = 0; i < w.length; i++) s += term(w[i] as number, g[i] as number);
    return s;
  });
}

export function sumAbs(w: Float32Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += Math.abs(w[i] as number);
  return s;
}

export function sumSquares(w: Float32Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (w[i] as number) ** 2;
  return s;
}

/** Σ (a − b)². */
export function squaredDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] as number) - (b[i] as number)) ** 2;
  return s;
}

/** ‖P(W) − W‖² (+ ‖P(b) − b‖² when the perturbation changed the bias, as prunec does). */
export function perturbationEnergy(ctx: CriterionContext, layer: Layer, result: PerturbResult): number {
  let energy = squaredDistance(result.weight, ctx.weight(layer));
  const bias = ctx.bias(layer);
  if (result.bias && bias) energy += squaredDistance(result.bias, bias);
  return energy;
}
