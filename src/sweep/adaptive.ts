/**
 * Adaptive evaluation: stop a (layer, perturbation) once its accuracy drop is
 * known to ±precision at the requested confidence.
 *
 * The estimate is paired: d_i = base_correct_i − perturbed_correct_i ∈ {−1, 0, 1}
 * over images in a seeded random order, so the drop is mean(d) and the
 * accuracy is base_accuracy − mean(d). Most perturbations change few
 * predictions, so the variance of d is small and evaluation stops after a
 * fraction of the data.
 *
 * The interval is a group-sequential normal interval with a Bonferroni
 * correction over every check (one per batch), so stopping at any check keeps
 * the stated confidence (asymptotically). What it bounds is the exact drop on
 * the N images of the data set, and the n images seen are drawn from them
 * without replacement, so the variance of mean(d) carries the finite-population
 * factor (1 − n/N): the interval narrows to nothing as n reaches N.
 *   halfWidth = z(1 − δ/2) · sqrt(V/n · (1 − n/N)),  δ = (1 − confidence) / checks,
 * where V is the sample variance of d with one pseudo-observation of +1 and
 * one of −1 added (so that a start without any changed prediction does not
 * give a zero-width interval), and no check stops before MIN_IMAGES images.
 * (Without the factor, ±0.5 pp at 95% over 10,000 images stopped later; see
 * docs/benchmarks.md.)
 * (The empirical Bernstein bound was tried first: its range term needs
 * n > 3,000 images for ±1 pp at 95%, more than most evaluation sets hold.)
 */
import { argmaxRow } from '../runtime/metrics.js';

export interface AdaptiveOptions {
  /** Wanted half-width of the confidence interval on the accuracy drop, as a fraction (0.005 = ±0.5 pp). */
  precision: number;
  /** Confidence level of the interval, e.g. 0.95. */
  confidence: number;
}

/** Confidence level of the intervals unless told otherwise. */
export const ADAPTIVE_CONFIDENCE = 0.95;

/** No stop before this many images. */
export const MIN_IMAGES = 200;

export interface PairedState {
  n: number;
  /** Σ d_i */
  sum: number;
  /** Σ d_i² = number of images whose correctness changed. */
  sumSquares: number;
}

export function emptyPaired(): PairedState {
  return { n: 0, sum: 0, sumSquares: 0 };
}

/** Adds one batch of perturbed logits, paired with the base correctness of the same images. */
export function addPaired(state: PairedState, logits: Float32Array, labels: Int32Array, classes: number, baseCorrect: Uint8Array, start: number): void {
  for (let i = 0; i < labels.length; i++) {
    const correct = argmaxRow(logits, i * classes, classes) === labels[i] ? 1 : 0;
    const d = (baseCorrect[start + i] as number) - correct;
    state.sum += d;
    state.sumSquares += d * d;
  }
  state.n += labels.length;
}

/**
 * Half-width of the interval after this check on `state` (images drawn without replacement from the
 * `population` images of the data set), and whether it is narrow enough to stop.
 */
export function adaptiveBound(options: AdaptiveOptions, state: PairedState, checks: number, population: number): { halfWidth: number; stop: boolean } {
  const n = state.n + 2;
  const mean = state.sum / n;
  const variance = Math.max(0, (state.sumSquares + 2) / n - mean * mean);
  const delta = (1 - options.confidence) / Math.max(1, checks);
  const unseen = Math.max(0, 1 - state.n / Math.max(1, population));
  const halfWidth = normalQuantile(1 - delta / 2) * Math.sqrt((variance / n) * unseen);
  return { halfWidth, stop: state.n >= MIN_IMAGES && halfWidth <= options.precision };
}

/** Standard normal quantile by bisection on the CDF (|error| < 1e-7 in z for p in [1e-12, 1 − 1e-12]). */
export function normalQuantile(p: number): number {
  let lo = -12;
  let hi = 12;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Φ(x) through the complementary error function (Numerical Recipes' erfcc, fractional error < 1.2e-7). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
