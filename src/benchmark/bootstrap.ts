/**
 * Mean over models with a seeded percentile-bootstrap confidence interval:
 * draw `resamples` samples of size n with replacement (xoshiro128** from perturb/rng),
 * take each sample's mean, and report the (1 − c)/2 and (1 + c)/2 quantiles of those means
 * (linear interpolation between order statistics, "type 7"). Same values and seed, same interval.
 */
import { createRng } from '../perturb/rng.js';

export interface Estimate {
  mean: number;
  /** Lower end of the confidence interval. */
  low: number;
  /** Upper end of the confidence interval. */
  high: number;
  /** Number of values (models) the estimate is over. */
  n: number;
}

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  confidence?: number;
  /** Seed of the resampling (default 0). */
  seed?: number;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 2000, confidence: 0.95, seed: 0 } as const;

/** Null for no values; a single value gives the degenerate interval [v, v]. */
export function bootstrapMean(values: readonly number[], options: BootstrapOptions = {}): Estimate | null {
  const resamples = options.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const confidence = options.confidence ?? BOOTSTRAP_DEFAULTS.confidence;
  const seed = options.seed ?? BOOTSTRAP_DEFAULTS.seed;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const n = values.length;
  if (n === 0) return null;
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`bootstrapMean needs finite values, got ${v}`);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, low: mean, high: mean, n };
  const rng = createRng(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[uniformIndex(rng.nextUint32(), n)] as number;
    means[r] = sum / n;
  }
  means.sort();
  const tail = (1 - confidence) / 2;
  return { mean, low: quantile(means, tail), high: quantile(means, 1 - tail), n };
}

/** Index in [0, n) from a uniform 32-bit integer (multiply-shift; bias below 2^-32 · n). */
function uniformIndex(u: number, n: number): number {
  return Math.floor((u / 4294967296) * n);
}

/** Quantile of sorted values, linear interpolation between order statistics (R type 7, numpy default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}
