import { describe, expect, it } from 'vitest';
import type { DropCell } from '../../src/report/report-data.js';
import { cellReliability } from '../../src/benchmark/reliability.js';
import { reliabilityOf } from '../../src/report/uncertainty.js';
import { changedBoundStandardError, dropUncertainty, pairedStandardError } from '../../src/rows/uncertainty.js';

const seed = (drop: number, extra: Partial<{ unchanged: number | null; rightToWrong: number | null; wrongToRight: number | null }> = {}) =>
  ({ drop, images: 2000, unchanged: null, rightToWrong: null, wrongToRight: null, ...extra });

describe('standard errors of a drop', () => {
  it('paired: sqrt(a + b − (a − b)²/N)/N', () => {
    expect(pairedStandardError(30, 10, 2000)).toBeCloseTo(Math.sqrt(40 - 400 / 2000) / 2000, 15);
    expect(pairedStandardError(0, 0, 2000)).toBe(0);
  });

  it('the changed-prediction bound is at least the paired error of every a, b it allows, and equals it when a + b = changed', () => {
    const n = 1000;
    for (let changed = 0; changed <= 60; changed += 7) {
      for (let a = 0; a <= changed; a++) {
        for (let b = 0; a + b <= changed; b += 3) {
          const drop = (a - b) / n;
          const bound = changedBoundStandardError(drop, 1 - changed / n, n);
          expect(bound).toBeGreaterThanOrEqual(pairedStandardError(a, b, n) - 1e-15);
          if (a + b === changed) expect(bound).toBeCloseTo(pairedStandardError(a, b, n), 14);
        }
      }
    }
  });

  it('over seeds: se² = mean(se_i²) + std²/S; the seed spread alone without counts; unknown for one bare seed', () => {
    const paired = dropUncertainty([seed(0.01, { rightToWrong: 30, wrongToRight: 10 }), seed(0.02, { rightToWrong: 50, wrongToRight: 10 })]);
    const se1 = pairedStandardError(30, 10, 2000);
    const se2 = pairedStandardError(50, 10, 2000);
    const std = Math.abs(0.02 - 0.01) / Math.SQRT2;
    expect(paired.source).toBe('paired');
    expect(paired.se).toBeCloseTo(Math.sqrt((se1 ** 2 + se2 ** 2) / 2 + std ** 2 / 2), 15);
    expect(dropUncertainty([seed(0.01, { unchanged: 0.98 })])).toEqual({ se: changedBoundStandardError(0.01, 0.98, 2000), source: 'changed-bound' });
    const spread = dropUncertainty([seed(0.01), seed(0.03)]);
    expect(spread.source).toBe('seeds');
    expect(spread.se).toBeCloseTo(0.02 / Math.SQRT2 / Math.SQRT2, 15);
    expect(dropUncertainty([seed(0.01)])).toEqual({ se: null, source: 'none' });
  });
});

describe('reliability of a ranking of layers in the report', () => {
  const cell = (drop: number, se: number | null, seSource: DropCell['seSource']): DropCell => ({
    layer: `l${drop}`, perturbation: 'prune:0.5', family: 'prune', level: 0.5, drop, drops: [drop], seeds: 1, std: 0,
    se, seSource, interval: null, kl: null, unchanged: null, images: 100,
  });

  it("is the benchmark's estimate of the cell, with its kind", () => {
    const drops = [0.01, 0.03, 0.08, 0.2];
    const cells = drops.map((d) => cell(d, 0.01, 'paired'));
    const expected = cellReliability(cells)!;
    expect(reliabilityOf('prune:0.5', cells)).toEqual({ perturbation: 'prune:0.5', value: expected.reliability, kind: 'estimate', ceiling: expected.ceiling });
    expect(reliabilityOf('p', drops.map((d) => cell(d, 0.01, 'changed-bound'))).kind).toBe('lower-bound');
    expect(reliabilityOf('p', drops.map((d) => cell(d, 0.01, 'seeds'))).kind).toBe('upper-bound');
  });

  it('is unknown with fewer than 3 layers or a missing error', () => {
    expect(reliabilityOf('p', [cell(0.01, 0.01, 'paired'), cell(0.02, 0.01, 'paired')]).value).toBeNull();
    expect(reliabilityOf('p', [0.01, 0.02, 0.03].map((d) => cell(d, null, 'none'))).value).toBeNull();
  });
});
