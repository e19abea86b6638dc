/** Exact counts: ratios that floor back to their count (checked with perturb's own prune), and the count distribution. */
import { describe, expect, it } from 'vitest';
import { prunedCount, ratioForCount } from '../../src/budget/index.js';
import { distributeCounts } from '../../src/budget/counts.js';
import { prune } from '../../src/perturb/prune.js';
import { createRng, randomInt } from './helpers.js';

describe('ratioForCount', () => {
  it('gives the short decimal when it floors back, and a nearby one when the float product falls short', () => {
    expect(ratioForCount(56, 100)).toBe(0.56);
    expect(Math.floor(0.57 * 100)).toBe(56);
    expect(ratioForCount(57, 100)).toBe(0.575);
    expect(ratioForCount(0, 7)).toBe(0);
    expect(ratioForCount(7, 7)).toBe(1);
  });

  it('floors back to k for every k of many n, and prune:r zeroes exactly k weights', () => {
    const rng = createRng(3);
    for (let t = 0; t < 300; t++) {
      const n = randomInt(rng, 1, t < 60 ? 200 : 5_000_000);
      const k = randomInt(rng, 0, n);
      const r = ratioForCount(k, n);
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1);
      expect(prunedCount(r, n), `${k}/${n} → ${r}`).toBe(k);
      if (n <= 200) {
        const w = Float32Array.from({ length: n }, () => 1 + rng.nextFloat());
        expect(prune(w, r).filter((x) => x === 0).length).toBe(k);
      }
    }
  });
});

describe('distributeCounts', () => {
  it('rounds to the exact total, within one of each target, by largest remainder', () => {
    expect(distributeCounts([1.5, 1.5, 1], [10, 10, 10], 4)).toEqual([2, 1, 1]);
    expect(distributeCounts([0.2, 0.9, 2.9], [5, 5, 5], 4)).toEqual([0, 1, 3]);
  });
  it('respects caps and fills elsewhere', () => {
    expect(distributeCounts([5, 1], [3, 10], 6)).toEqual([3, 3]);
    expect(distributeCounts([5, 5], [3, 3], 7)).toBeUndefined();
  });
});
