import { describe, expect, it } from 'vitest';
import { averageRanks, kendallTauB, ndcg, pearson, rankAgreement, spearman, topKMembership, topKPrecision, topKSize } from '../../src/benchmark/rank-metrics.js';

describe('averageRanks', () => {
  it('gives tied values the mean of their ranks', () => {
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(averageRanks([3, 1, 3, 3])).toEqual([1 + 2, 1, 3, 3]);
    expect(averageRanks([])).toEqual([]);
  });
});

describe('Spearman ρ', () => {
  it('is Pearson on average ranks: [1,2,2,3] vs [1,3,2,4] = 3/√10 (by hand)', () => {
    // ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]; deviations (−1.5, 0, 0, 1.5) and (−1.5, .5, −.5, 1.5):
    // Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → 4.5 / √22.5 = 3/√10.
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(3 / Math.sqrt(10), 12);
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(pearson([1, 2.5, 2.5, 4], [1, 3, 2, 4]) as number, 12);
  });

  it('is 1 for any increasing map, −1 for a reversed order, and null for a constant side', () => {
    expect(spearman([1, 2, 3, 4], [0.1, 5, 7, 100])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [0, 0, 0])).toBeNull();
    expect(spearman([5], [1])).toBeNull();
  });

  it('rejects unequal lengths and non-finite values', () => {
    expect(() => spearman([1, 2], [1])).toThrow(/equally long/);
    expect(() => spearman([1, NaN], [1, 2])).toThrow(/finite/);
  });
});

describe('Kendall τ-b', () => {
  it('handles ties in one variable: [1,2,2,3] vs [1,3,2,4] = 5/√30', () => {
    // 6 pairs: 5 concordant, 1 tied in x (n1 = 1), none tied in y → 5 / √((6−1)(6−0)).
    expect(kendallTauB([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(5 / Math.sqrt(30), 12);
  });

  it('handles ties in both variables: x = [1,1,2,2,3], y = [1,2,1,3,3] gives 0.5', () => {
    // 10 pairs. Tied in x: (1,2), (3,4) → n1 = 2. Tied in y: (1,3), (4,5) → n2 = 2.
    // Concordant: (1,4) (1,5) (2,4) (2,5) (3,5) = 5; discordant: (2,3) = 1. τ-b = 4 / √(8·8) = 0.5.
    expect(kendallTauB([1, 1, 2, 2, 3], [1, 2, 1, 3, 3])).toBeCloseTo(0.5, 12);
  });

  it('counts a pair tied in both variables in neither n_c nor n_d but in both tie counts', () => {
    // x = [1,1,2], y = [5,5,6]: pair (1,2) tied in both; (1,3), (2,3) concordant; n0 = 3, n1 = n2 = 1 → 2/2 = 1.
    expect(kendallTauB([1, 1, 2], [5, 5, 6])).toBeCloseTo(1, 12);
  });

  it('is ±1 for identical or reversed orders and null when a side is constant', () => {
    expect(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTauB([1, 2, 3, 4], [40, 30, 20, 10])).toBe(-1);
    expect(kendallTauB([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});

describe('top-k precision', () => {
  it('uses k = ceil(20% of layers), at least 1, without floating-point surprises', () => {
    expect([1, 4, 5, 6, 10, 15, 16].map((n) => topKSize(n))).toEqual([1, 1, 1, 2, 2, 3, 4]);
    expect(topKSize(0)).toBe(0);
    expect(topKSize(10, 0.5)).toBe(5);
  });

  it('is the plain overlap without boundary ties', () => {
    // n = 10, k = 2. Top-2 by score: {0, 1}; by drop: {1, 5} → 1/2.
    const scores = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const drops = [0.1, 0.5, 0, 0, 0, 0.4, 0, 0, 0, 0];
    expect(topKPrecision(scores, drops)).toBe(0.5);
    expect(topKPrecision(scores, scores)).toBe(1);
  });

  it('breaks ties at the k-th place uniformly at random and returns the expected precision', () => {
    // n = 10, k = 2. Scores: layer 0 alone on top, layers 1..3 tie for the second place (each in with
    // probability 1/3). Drops: layers 0 and 1 are the top 2. Expected overlap = 1 + 1/3 → precision 2/3.
    const scores = [3, 2, 2, 2, 1, 1, 1, 1, 1, 1];
    expect(topKMembership(scores, 2)).toEqual([1, 1 / 3, 1 / 3, 1 / 3, 0, 0, 0, 0, 0, 0]);
    expect(topKPrecision(scores, [0.5, 0.4, 0, 0, 0, 0, 0, 0, 0, 0])).toBeCloseTo(2 / 3, 12);
    // Ties on the drop side too: layers 1 and 2 tie for the second place (1/2 each):
    // overlap = 1·1 + (1/3)(1/2) + (1/3)(1/2) = 4/3 → 2/3.
    expect(topKPrecision(scores, [0.5, 0.1, 0.1, 0, 0, 0, 0, 0, 0, 0])).toBeCloseTo(2 / 3, 12);
  });

  it('gives a constant criterion the chance level k/n, whatever the layer order', () => {
    const drops = [0.9, 0.8, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(topKPrecision(new Array(10).fill(1), drops)).toBeCloseTo(0.2, 12);
    // All drops zero: every layer ties, so the truth's top-k is random as well.
    expect(topKPrecision([5, 4, 3, 2, 1], [0, 0, 0, 0, 0])).toBeCloseTo(0.2, 12);
  });
});

describe('NDCG', () => {
  const d = (p: number): number => 1 / Math.log2(p + 1);

  it('is 1 for the ideal order and the hand-computed value for the reversed one', () => {
    expect(ndcg([3, 2, 1], [0.3, 0.2, 0.1])).toBeCloseTo(1, 12);
    const reversed = (0.1 * d(1) + 0.2 * d(2) + 0.3 * d(3)) / (0.3 * d(1) + 0.2 * d(2) + 0.1 * d(3));
    expect(ndcg([1, 2, 3], [0.3, 0.2, 0.1])).toBeCloseTo(reversed, 12);
    expect(reversed).toBeCloseTo(0.79, 2);
  });

  it('clips negative drops to a gain of 0', () => {
    expect(ndcg([1, 2, 3], [0.3, -0.5, -0.2])).toBeCloseTo(0.3 * d(3) / (0.3 * d(1)), 12);
  });

  it('averages gains over score ties (expected DCG over random orders of the tie)', () => {
    // Layers 0 and 1 tie at positions 1–2 with gains 0.3 and 0: each contributes 0.15; layer 2 at position 3.
    const dcg = 0.15 * (d(1) + d(2)) + 0.1 * d(3);
    const ideal = 0.3 * d(1) + 0.1 * d(2);
    expect(ndcg([1, 1, 0], [0.3, 0, 0.1])).toBeCloseTo(dcg / ideal, 12);
  });

  it('is null when no layer has a positive drop', () => {
    expect(ndcg([1, 2, 3], [0, 0, 0])).toBeNull();
    expect(ndcg([1, 2, 3], [-0.1, 0, -0.2])).toBeNull();
  });
});

describe('rankAgreement', () => {
  it('bundles the four metrics', () => {
    const r = rankAgreement([1, 2, 3, 4, 5], [0, 0.1, 0.2, 0.3, 0.4]);
    expect(r).toEqual({ spearman: expect.closeTo(1, 12), kendall: 1, topK: 1, ndcg: expect.closeTo(1, 12) });
  });
});
