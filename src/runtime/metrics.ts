/**
 * Per-sample classification statistics from logits, accumulated over batches in float64.
 * Loss: mean cross-entropy of softmax(logits) against the label.
 * KL: mean D_KL(p_perturbed ‖ p_reference) = Σ_c p_pert,c (log p_pert,c − log p_ref,c) — the divergence
 * of the perturbed softmax from the unperturbed one.
 * A row with a NaN logit predicts nothing (counts as wrong, and as changed).
 */

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

/** log softmax of one row into `out` (float64). */
export function logSoftmaxRow(logits: Float32Array, offset: number, classes: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[offset + c] as number);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp((logits[offset + c] as number) - max);
  const logSum = max + Math.log(sum);
  for (let c = 0; c < classes; c++) out[c] = (logits[offset + c] as number) - logSum;
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
 * Adds one batch. `reference` (same layout as logits, rows from `referenceOffset`) enables KL and
 * agreement; `referenceCorrect` (1 where the reference predicted the label, indexed like the
 * reference's rows) enables the paired counts.
 */
export function accumulate(
  totals: ClassificationTotals,
  logits: Float32Array,
  labels: Int32Array,
  classes: number,
  reference?: Float32Array,
  referenceOffset = 0,
  referenceCorrect?: Uint8Array,
): void {
  const n = labels.length;
  const lp = new Float64Array(classes);
  const lq = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const off = i * classes;
    const label = labels[i] as number;
    const pred = argmaxRow(logits, off, classes);
    const right = pred === label;
    if (right) totals.correct++;
    if (referenceCorrect) {
      const before = referenceCorrect[referenceOffset / classes + i] === 1;
      if (before && !right) totals.rightToWrong++;
      else if (!before && right) totals.wrongToRight++;
    }
    logSoftmaxRow(logits, off, classes, lp);
    totals.lossSum += label >= 0 && label < classes ? -(lp[label] as number) : NaN;
    if (reference) {
      const roff = referenceOffset + off;
      if (pred !== -1 && pred === argmaxRow(reference, roff, classes)) totals.unchanged++;
      logSoftmaxRow(reference, roff, classes, lq);
      totals.klSum += addKlDivergence(0, lp, lq, classes);
    }
  }
  totals.count += n;
}

/** A JSON-safe number: non-finite values (a NaN loss after a bit flip, say) become null. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
