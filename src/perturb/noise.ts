import type { Rng } from './rng.js';

/**
 * `noise:σ` — w' = fround(w + σ·std(w)·N(0, 1)), one `rng.normal()` per entry
 * in flat-index order. std is the *population* standard deviation (divides by
 * n), computed in float64 over the whole tensor. When σ·std is 0 the tensor is
 * returned unchanged and the rng is not used.
 */
export function addNoise(weight: Float32Array, sigma: number, rng: Rng): Float32Array {
  const out = weight.slice();
  const scale = sigma * populationStd(weight);
  if (scale === 0) return out;
  for (let i = 0; i < out.length; i++) out[i] = weight[i]! + scale * rng.normal();
  return out;
}

/** sqrt(Σ(w − mean)² / n) in float64, two passes; 0 for an empty tensor. */
export function populationStd(values: Float32Array): number {
  const n = values.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return Math.sqrt(squares / n);
}
