/**
 * Standard errors of measured drops (docs/design.md, "Uncertainty of the ground truth"): the paired
 * error of one row, its bound when the row lacks the paired counts, and the error of a mean over seeds.
 */

import { Z_95 } from '../stats/intervals.js';
import type { SweepRow } from './row.js';

/** Where a drop's standard error comes from. */
export type UncertaintySource = 'paired' | 'changed-bound' | 'seeds' | 'none';

/** The confidence of every interval built here (its normal quantile is Z_95). */
export const CONFIDENCE = 0.95;

/** What one sweep row (one seed) says about its drop. */
export interface SeedMeasurement {
  drop: number;
  images: number;
  /** Fraction of images whose top-1 prediction did not change; null if the row lacks it. */
  unchanged: number | null;
  /** Images that turned from right to wrong (a) and from wrong to right (b); null if the row lacks them. */
  rightToWrong: number | null;
  wrongToRight: number | null;
}

/**
 * What a row says about its drop. The drop is rounded to 1e-12: base − accuracy of two equal
 * accuracies can leave 1e-17 of float noise.
 */
export function seedMeasurement(row: SweepRow): SeedMeasurement {
  return {
    drop: Math.round((row.base_accuracy - row.accuracy) * 1e12) / 1e12,
    images: row.count,
    unchanged: Number.isFinite(row.unchanged) ? row.unchanged : null,
    rightToWrong: row.right_to_wrong ?? null,
    wrongToRight: row.wrong_to_right ?? null,
  };
}

/** Paired (McNemar-style) standard error of drop = (a − b)/N: sqrt(a + b − (a − b)²/N)/N. */
export function pairedStandardError(rightToWrong: number, wrongToRight: number, images: number): number {
  const a = rightToWrong;
  const b = wrongToRight;
  return Math.sqrt(Math.max(0, a + b - (a - b) ** 2 / images)) / images;
}

/**
 * Upper bound of the paired standard error when a and b are unknown: every image that turns right or
 * wrong has changed its prediction, so a + b ≤ changed, and the error grows with a + b at fixed a − b.
 */
export function changedBoundStandardError(drop: number, unchanged: number, images: number): number {
  const changed = Math.round((1 - unchanged) * images);
  return pairedStandardError((changed + drop * images) / 2, (changed - drop * images) / 2, images);
}

/**
 * Standard error of the mean drop over seeds: se² = mean(se_i²) + std²/S, where se_i is the paired
 * error of seed i (exact, or its changed-prediction bound). The images are the same for every seed,
 * so their error is not divided by S. Without either, the seed spread std/√S alone.
 */
export function dropUncertainty(seeds: readonly SeedMeasurement[]): { se: number | null; source: UncertaintySource } {
  const s = seeds.length;
  if (s === 0) return { se: null, source: 'none' };
  const mean = seeds.reduce((sum, m) => sum + m.drop, 0) / s;
  const seedVariance = s > 1 ? seeds.reduce((sum, m) => sum + (m.drop - mean) ** 2, 0) / (s - 1) / s : 0;
  const paired = seeds.every((m) => m.rightToWrong !== null && m.wrongToRight !== null);
  const bounded = seeds.every((m) => m.unchanged !== null);
  if (paired || bounded) {
    const imageVariance = seeds.reduce((sum, m) => {
      const se = paired
        ? pairedStandardError(m.rightToWrong as number, m.wrongToRight as number, m.images)
        : changedBoundStandardError(m.drop, m.unchanged as number, m.images);
      return sum + se ** 2;
    }, 0) / s;
    return { se: Math.sqrt(imageVariance + seedVariance), source: paired ? 'paired' : 'changed-bound' };
  }
  if (s > 1) return { se: Math.sqrt(seedVariance), source: 'seeds' };
  return { se: null, source: 'none' };
}

export function intervalOf(drop: number, se: number | null): [number, number] | null {
  return se === null ? null : [drop - Z_95 * se, drop + Z_95 * se];
}

