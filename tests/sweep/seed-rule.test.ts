/** --seeds auto: the stopping rule by hand, and its coverage on simulated drops. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/perturb/index.js';
import { seedHalfWidth, seedRuleProblem, seedsWanted, type SeedRule } from '../../src/sweep/seed-rule.js';

const RULE: SeedRule = { precision: 0.005, min: 5, cap: 50 };

describe('seedHalfWidth', () => {
  it("is t(0.975, k−1)·s/√k with spread, and the rule of three's 3·worst/k without", () => {
    // [0, 0.01, 0.02]: s = 0.01, t(2) = 4.303.
    expect(seedHalfWidth([0, 0.01, 0.02], 0.5)).toBeCloseTo((4.303 * 0.01) / Math.sqrt(3), 12);
    expect(seedHalfWidth([0, 0, 0, 0], 0.6)).toBeCloseTo(0.45, 12);
    expect(seedHalfWidth([0.1], 0.6)).toBe(Infinity);
  });
});

describe('seedsWanted', () => {
  it('starts every (layer, perturbation) with the first round, stops when the interval is narrow or at the cap', () => {
    expect(seedsWanted([], RULE, 0.5)).toBe(5);
    expect(seedsWanted([0.1, 0.1], RULE, 0.5)).toBe(5);
    expect(seedsWanted([0.1, 0.1001, 0.0999, 0.1, 0.1], RULE, 0.5)).toBe(5); // ±0.0001: done
    const wide = [0, 0.3, 0.1, 0.2, 0.05];
    const next = seedsWanted(wide, RULE, 0.5);
    expect(next).toBe(10); // (t·s/p)² asks for thousands: at most twice the seeds so far
    expect(seedsWanted([...wide, ...wide, ...wide, ...wide, ...wide, ...wide, ...wide, ...wide, ...wide, ...wide], RULE, 0.5)).toBe(50); // at the cap: done
    expect(seedsWanted(Array.from({ length: 45 }, (_, i) => wide[i % 5]!), RULE, 0.5)).toBe(50); // never past the cap
  });

  it('does not take seeds that all drew the same drop as known before the rule of three allows', () => {
    // 5 zero drops with a worst effect of 0.5: 3·0.5/5 = 0.3 > 0.005; it wants 3·0.5/0.005 = 300, at most twice 5.
    expect(seedsWanted([0, 0, 0, 0, 0], RULE, 0.5)).toBe(10);
    expect(seedsWanted([0, 0, 0, 0, 0], { precision: 0.5, min: 5, cap: 50 }, 0.5)).toBe(5); // 0.3 ≤ 0.5
  });

  it('refuses settings that cannot work', () => {
    expect(seedRuleProblem(RULE)).toBeUndefined();
    expect(seedRuleProblem({ ...RULE, precision: 0 })).toMatch(/--precision/);
    expect(seedRuleProblem({ ...RULE, cap: 3 })).toMatch(/--cap/);
  });
});

describe('the stopping rule on simulated drops with a known mean', () => {
  /** Runs the rule to its end on draws from `draw`; the fraction of runs whose final interval holds `mean`. */
  const coverage = (draw: () => number, mean: number, rule: SeedRule, runs = 600): number => {
    let covered = 0;
    for (let r = 0; r < runs; r++) {
      const drops: number[] = [];
      const worst = () => (Math.max(0, ...drops) > 0 ? Math.max(...drops) : 0.9);
      for (;;) {
        const wanted = seedsWanted(drops, rule, worst());
        if (wanted === drops.length) break;
        while (drops.length < wanted) drops.push(draw());
      }
      const m = drops.reduce((a, b) => a + b, 0) / drops.length;
      if (Math.abs(m - mean) <= seedHalfWidth(drops, worst())) covered++;
    }
    return covered / runs;
  };
  const rng = createRng(7);

  it.each([
    ['normal drops', () => 0.05 + 0.02 * rng.normal(), 0.05, RULE, 0.93],
    ['a catastrophic flip in 30% of seeds', () => (rng.nextFloat() < 0.3 ? 0.8 : 0), 0.24, RULE, 0.92],
    ['a catastrophic flip in 5% of seeds (most draw none)', () => (rng.nextFloat() < 0.05 ? 0.8 : 0), 0.04, RULE, 0.93],
    ['normal drops, a loose precision (stops early)', () => 0.05 + 0.02 * rng.normal(), 0.05, { precision: 0.02, min: 5, cap: 200 }, 0.92],
    ['exponential drops (skewed; the t interval undercovers)', () => -0.03 * Math.log(1 - rng.nextFloat()), 0.03, RULE, 0.88],
  ] as const)('covers the mean at close to 95%%: %s', (_, draw, mean, rule, least) => {
    expect(coverage(draw, mean, rule)).toBeGreaterThanOrEqual(least);
  });
});
