/**
 * Adaptive evaluation: stop a (layer, perturbation) once its accuracy drop is
 * known to ±precision at the requested confidence.
 *
 * The estimate is paired: d_i = base_correct_i − perturbed_correct_i ∈ {−1, 0, 1}
 * over images in a seeded random order, so the drop is mean(d) and the
 * accuracy is base_accuracy − mean(d). The bound is the empirical Bernstein
 * inequality (Maurer & Pontil 2009) for a range of 2, two-sided, with a union
 * bound over every check (one per batch), so stopping at any check is valid:
 *   halfWidth = sqrt(2·V·ln(4/δ)/n) + 7·2·ln(4/δ)/(3(n−1)),  δ = (1 − confidence)/checks
 * where V is the unbiased sample variance of d. Most perturbations change few
 * predictions, V is small and evaluation stops after a fraction of the data.
 */
import { argmaxRow } from '../runtime/metrics.js';

export interface AdaptiveOptions {
  /** Wanted half-width of the confidence interval on the accuracy drop, as a fraction (0.005 = ±0.5 pp). */
  precision: number;
  /** Confidence level of the interval, e.g. 0.95. */
  confidence: number;
}

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

/** Half-width of the anytime-valid interval after this check, and whether it is narrow enough. */
export function adaptiveBound(options: AdaptiveOptions, state: PairedState, checks: number): { halfWidth: number; stop: boolean } {
  const { n } = state;
  if (n < 2) return { halfWidth: Infinity, stop: false };
  const mean = state.sum / n;
  const variance = Math.max(0, (state.sumSquares - n * mean * mean) / (n - 1));
  const logTerm = Math.log(4 / ((1 - options.confidence) / Math.max(1, checks)));
  const halfWidth = Math.sqrt((2 * variance * logTerm) / n) + (14 * logTerm) / (3 * (n - 1));
  return { halfWidth, stop: halfWidth <= options.precision };
}
