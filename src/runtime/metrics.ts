/**
 * Per-sample classification statistics from logits, accumulated over batches in float64.
 * Loss: mean cross-entropy of softmax(logits) against the label.
 * KL: mean D_KL(p_perturbed ‖ p_reference) = Σ_c p_pert,c (log p_pert,c − log p_ref,c) — the divergence
 * of the perturbed softmax from the unperturbed one.
 * A row with a NaN logit predicts nothing (counts as wrong, and as changed).
 */
import { assert } from '../errors.js';

/** Index of the largest logit (first on ties), or -1 if the row holds a NaN. */
export function argmaxRow(logits: Float32Array, offset: number, classes: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let c = 0; c < classes; c++) {
    const v = logits[offset + c] as number;
    if (Number.isNaN(v)) return -1;
    if (best === -1 || v > bestValue) {
      best = c;
      bestValue = v;
    }
  }
  return best;
}

/** log Σ_c exp(logit_c) of one row (float64, shifted by the row's largest logit). */
export function logSumExpRow(logits: Float32Array, offset: number, classes: number): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[offset + c] as number);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp((logits[offset + c] as number) - max);
  return max + Math.log(sum);
}

/** log softmax of one row into `out` (float64): logit_c − logSumExpRow. */
export function logSoftmaxRow(logits: Float32Array, offset: number, classes: number, out: Float64Array, logSum = logSumExpRow(logits, offset, classes)): void {
  for (let c = 0; c < classes; c++) out[c] = (logits[offset + c] as number) - logSum;
}

/**
 * The rows of a reference run (the unperturbed model) that every perturbed run is compared with, with
 * what accumulate needs of each row computed once: a sweep compares each job with the same rows.
 */
export interface ReferenceRows {
  /** count × classes. */
  readonly logits: Float32Array;
  readonly classes: number;
  /** Per row, logSumExpRow: its log softmax is logit_c − logSum, the same float64 values as logSoftmaxRow's. */
  readonly logSums: Float64Array;
  /** Per row, argmaxRow (−1 for a row holding a NaN). */
  readonly predictions: Int32Array;
  /** Per row, 1 if the reference predicted the label: enables the paired counts. */
  readonly correct?: Uint8Array;
}

export function referenceRows(logits: Float32Array, classes: number, correct?: Uint8Array): ReferenceRows {
  const count = logits.length / classes;
  const logSums = new Float64Array(count);
  const predictions = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    logSums[i] = logSumExpRow(logits, i * classes, classes);
    predictions[i] = argmaxRow(logits, i * classes, classes);
  }
  return correct ? { logits, classes, logSums, predictions, correct } : { logits, classes, logSums, predictions };
}

/**
 * `sum` plus D_KL(p ‖ q) = Σ_c p_c (log p_c − log q_c) from two log-softmax rows, the terms added to
 * `sum` one by one (terms with p_c = 0 are 0).
 */
export function addKlDivergence(sum: number, logP: Float64Array, logQ: Float64Array, classes: number): number {
  let total = sum;
  for (let c = 0; c < classes; c++) {
    const a = logP[c] as number;
    const p = Math.exp(a);
    if (p > 0) total += p * (a - (logQ[c] as number));
  }
  return total;
}

export interface ClassificationTotals {
  count: number;
  correct: number;
  lossSum: number;
  /** Sum of per-sample KL against the reference (only when a reference was given). */
  klSum: number;
  /** Samples whose prediction equals the reference prediction. */
  unchanged: number;
  /** With the reference's correctness: samples that turned from right to wrong, and from wrong to right. */
  rightToWrong: number;
  wrongToRight: number;
}

export function emptyTotals(): ClassificationTotals {
  return { count: 0, correct: 0, lossSum: 0, klSum: 0, unchanged: 0, rightToWrong: 0, wrongToRight: 0 };
}

/**
 * Adds one batch. `reference` (its rows from `referenceRow` on match the batch's) enables KL and
 * agreement, and the paired counts where it has its correctness.
 */
export function accumulate(totals: ClassificationTotals, logits: Float32Array, labels: Int32Array, classes: number, reference?: ReferenceRows, referenceRow = 0): void {
  assert(reference === undefined || reference.classes === classes, () => `reference rows of ${reference?.classes} classes, logits of ${classes}`);
  const n = labels.length;
  const lp = new Float64Array(classes);
  const lq = new Float64Array(classes);
  const correct = reference?.correct;
  for (let i = 0; i < n; i++) {
    const off = i * classes;
    const label = labels[i] as number;
    const pred = argmaxRow(logits, off, classes);
    const right = pred === label;
    if (right) totals.correct++;
    if (correct) {
      const before = correct[referenceRow + i] === 1;
      if (before && !right) totals.rightToWrong++;
      else if (!before && right) totals.wrongToRight++;
    }
    logSoftmaxRow(logits, off, classes, lp);
    totals.lossSum += label >= 0 && label < classes ? -(lp[label] as number) : NaN;
    if (reference) {
      const row = referenceRow + i;
      if (pred !== -1 && pred === reference.predictions[row]) totals.unchanged++;
      logSoftmaxRow(reference.logits, row * classes, classes, lq, reference.logSums[row]);
      totals.klSum += addKlDivergence(0, lp, lq, classes);
    }
  }
  totals.count += n;
}

/** A JSON-safe number: non-finite values (a NaN loss after a bit flip, say) become null. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
