import { describe, expect, it } from 'vitest';
import { accumulate, argmaxRow, emptyTotals, logSoftmaxRow, logSumExpRow, referenceRows } from '../../src/runtime/metrics.js';

/** log softmax written out directly, in float64. */
function logSoftmax(row: number[]): number[] {
  const max = Math.max(...row);
  const z = Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0)) + max;
  return row.map((x) => x - z);
}

describe('classification metrics', () => {
  const classes = 3;
  // Reference rows: predicts 0, 2, 1; labels 0, 1, 1 -> right, wrong, right.
  const reference = Float32Array.of(2, 0.5, -1, 0, 1, 3, -0.5, 4, 0.25);
  const labels = Int32Array.of(0, 1, 1);
  // Perturbed rows: predicts 0 (right, unchanged), 1 (right: wrong -> right), 2 (wrong: right -> wrong).
  const perturbed = Float32Array.of(1.5, 1, 0, 0.5, 2.5, 2, 0, 1, 1.5);

  it('argmax takes the first of ties and gives -1 for a row holding a NaN', () => {
    expect(argmaxRow(Float32Array.of(1, 3, 3), 0, 3)).toBe(1);
    expect(argmaxRow(Float32Array.of(1, NaN, 3), 0, 3)).toBe(-1);
  });

  it('log softmax and log-sum-exp match the formula', () => {
    const out = new Float64Array(classes);
    logSoftmaxRow(perturbed, 3, classes, out);
    const expected = logSoftmax([0.5, 2.5, 2]);
    out.forEach((v, c) => expect(v).toBeCloseTo(expected[c] as number, 14));
    expect(logSumExpRow(perturbed, 3, classes)).toBeCloseTo(0.5 - (expected[0] as number), 14);
  });

  it('accumulates accuracy, loss, KL against the reference, agreement and the paired counts', () => {
    const correct = Uint8Array.of(1, 0, 1);
    const totals = emptyTotals();
    accumulate(totals, perturbed, labels, classes, referenceRows(reference, classes, correct));
    expect(totals.count).toBe(3);
    expect(totals.correct).toBe(2);
    expect(totals.unchanged).toBe(1);
    expect(totals.rightToWrong).toBe(1);
    expect(totals.wrongToRight).toBe(1);
    let loss = 0;
    let kl = 0;
    for (let i = 0; i < 3; i++) {
      const p = logSoftmax([...perturbed.subarray(i * 3, i * 3 + 3)]);
      const q = logSoftmax([...reference.subarray(i * 3, i * 3 + 3)]);
      loss -= p[labels[i] as number] as number;
      kl += p.reduce((a, lp, c) => a + Math.exp(lp) * (lp - (q[c] as number)), 0);
    }
    expect(totals.lossSum).toBeCloseTo(loss, 12);
    expect(totals.klSum).toBeCloseTo(kl, 12);
  });

  it('reads the reference from a given row on, as one batch of a larger run', () => {
    const whole = emptyTotals();
    accumulate(whole, perturbed, labels, classes, referenceRows(reference, classes, Uint8Array.of(1, 0, 1)));
    const parts = emptyTotals();
    const rows = referenceRows(reference, classes, Uint8Array.of(1, 0, 1));
    accumulate(parts, perturbed.subarray(0, 3), labels.subarray(0, 1), classes, rows, 0);
    accumulate(parts, perturbed.subarray(3), labels.subarray(1), classes, rows, 1);
    expect(parts).toEqual(whole);
  });

  it('a row with a NaN logit predicts nothing: wrong, changed, NaN loss', () => {
    const totals = emptyTotals();
    accumulate(totals, Float32Array.of(NaN, 1, 0), Int32Array.of(0), classes, referenceRows(reference.subarray(0, 3), classes, Uint8Array.of(1)));
    expect(totals.correct).toBe(0);
    expect(totals.unchanged).toBe(0);
    expect(totals.rightToWrong).toBe(1);
    expect(Number.isNaN(totals.lossSum)).toBe(true);
  });

  it('the summarized reference gives the values of recomputing its log softmax, bit for bit', () => {
    const rows = referenceRows(reference, classes);
    const direct = new Float64Array(classes);
    const cached = new Float64Array(classes);
    for (let i = 0; i < 3; i++) {
      logSoftmaxRow(reference, i * classes, classes, direct);
      logSoftmaxRow(reference, i * classes, classes, cached, rows.logSums[i]);
      expect([...cached]).toEqual([...direct]);
      expect(rows.predictions[i]).toBe(argmaxRow(reference, i * classes, classes));
    }
  });
});
