/**
 * How well a criterion's scores rank layers by their measured accuracy drop.
 * All functions take two equally long arrays of finite numbers, one entry per
 * layer (scores: higher = more important; drops: base − perturbed accuracy),
 * and return null where the metric is undefined (see each function).
 *
 * Ties are part of the definitions, because both sides have many: layers whose
 * drop is exactly 0, criteria that give equal layers equal scores.
 * - Spearman ρ: Pearson correlation of average ranks (tied values share the mean of their ranks).
 * - Kendall τ-b: (n_c − n_d) / √((n₀ − n₁)(n₀ − n₂)), pairs tied in either variable count in neither n_c nor n_d.
 * - Top-k precision and NDCG: ties are broken uniformly at random and the metric is its *expected*
 *   value over those random orders, computed exactly (no sampling). Neither layer order nor any other
 *   arbitrary order can then earn a criterion credit it did not give.
 */

/** Average ranks from 1 (smallest value gets rank 1; a tie group shares the mean of its ranks). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    const v = values[order[start] as number];
    while (end < order.length && values[order[end] as number] === v) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 .. end
    for (let i = start; i < end; i++) ranks[order[i] as number] = rank;
    start = end;
  }
  return ranks;
}

/** Pearson correlation; null if fewer than 2 values or either side is constant. */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  checkPair(x, y);
  const n = x.length;
  if (n < 2) return null;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return clampUnit(sxy / Math.sqrt(sxx * syy));
}

/** Spearman's ρ: Pearson on average ranks. Null if either side is constant (or n < 2). */
export function spearman(scores: readonly number[], drops: readonly number[]): number | null {
  checkPair(scores, drops);
  return pearson(averageRanks(scores), averageRanks(drops));
}

/**
 * Kendall's τ-b over all n(n−1)/2 pairs (O(n²), fine for ≤ a few thousand layers).
 * Null if either side is constant (a zero denominator) or n < 2.
 */
export function kendallTauB(scores: readonly number[], drops: readonly number[]): number | null {
  checkPair(scores, drops);
  const n = scores.length;
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0; // pairs tied in scores (whatever the drops)
  let tiedY = 0; // pairs tied in drops (whatever the scores)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign((scores[i] as number) - (scores[j] as number));
      const dy = Math.sign((drops[i] as number) - (drops[j] as number));
      if (dx === 0) tiedX++;
      if (dy === 0) tiedY++;
      if (dx !== 0 && dy !== 0) {
        if (dx === dy) concordant++;
        else discordant++;
      }
    }
  }
  const pairs = (n * (n - 1)) / 2;
  const denominator = Math.sqrt((pairs - tiedX) * (pairs - tiedY));
  if (denominator === 0) return null;
  return clampUnit((concordant - discordant) / denominator);
}

/** k = ceil(fraction · n), at least 1 for n ≥ 1 (fraction 0.2 by default: the top 20% of layers). */
export function topKSize(n: number, fraction = 0.2): number {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`top-k fraction must be in (0, 1], got ${fraction}`);
  return n === 0 ? 0 : Math.max(1, Math.ceil(fraction * n - 1e-9));
}

/**
 * Probability that each entry is among the k largest when ties are broken uniformly at random:
 * 1 above the k-th largest value, 0 below it, and (k − above) / tied for the entries equal to it.
 */
export function topKMembership(values: readonly number[], k: number): number[] {
  if (k <= 0) return values.map(() => 0);
  if (k >= values.length) return values.map(() => 1);
  const sorted = [...values].sort((a, b) => b - a);
  const boundary = sorted[k - 1] as number;
  const above = values.filter((v) => v > boundary).length;
  const tied = values.filter((v) => v === boundary).length;
  const share = (k - above) / tied;
  return values.map((v) => (v > boundary ? 1 : v === boundary ? share : 0));
}

/**
 * Top-k precision: |top-k by score ∩ top-k by drop| / k with k = ceil(fraction · n).
 * Ties at the k-th place (on either side) are broken uniformly at random, independently on the two
 * sides, and the result is the expected precision: Σᵢ P(i ∈ top-k by score) · P(i ∈ top-k by drop) / k.
 * Without ties at the boundary this is the plain set overlap. Null for n = 0.
 */
export function topKPrecision(scores: readonly number[], drops: readonly number[], fraction = 0.2): number | null {
  checkPair(scores, drops);
  const k = topKSize(scores.length, fraction);
  if (k === 0) return null;
  const byScore = topKMembership(scores, k);
  const byDrop = topKMembership(drops, k);
  let overlap = 0;
  for (let i = 0; i < scores.length; i++) overlap += (byScore[i] as number) * (byDrop[i] as number);
  return overlap / k;
}

/** Discount of 1-based position p: 1 / log2(p + 1). */
function discount(position: number): number {
  return 1 / Math.log2(position + 1);
}

/**
 * Normalised discounted cumulative gain over the whole list (no cut-off).
 * Gains are the drops clipped at 0 (a layer whose perturbation helped is worth nothing, not less);
 * layers are ranked by score, descending; position p (from 1) is discounted by 1 / log2(p + 1);
 * the sum is divided by the DCG of the ideal order (layers by gain, descending).
 * Score ties are averaged (McSherry & Najork 2008): a tie group occupying positions a..b contributes
 * mean(gain over the group) · Σ_{p=a..b} 1/log2(p + 1), the expected DCG over random orders of the group.
 * Null if no layer has a positive drop (the ideal DCG is 0: there is nothing to find, every order is
 * equally right, and the value is left out of averages rather than counted as 0 or 1).
 */
export function ndcg(scores: readonly number[], drops: readonly number[]): number | null {
  checkPair(scores, drops);
  const gains = drops.map((d) => Math.max(0, d));
  const ideal = [...gains].sort((a, b) => b - a).reduce((sum, g, i) => sum + g * discount(i + 1), 0);
  if (ideal === 0) return null;
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let dcg = 0;
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    const s = scores[order[start] as number];
    while (end < order.length && scores[order[end] as number] === s) end++;
    let gainSum = 0;
    let discountSum = 0;
    for (let i = start; i < end; i++) {
      gainSum += gains[order[i] as number] as number;
      discountSum += discount(i + 1);
    }
    dcg += (gainSum / (end - start)) * discountSum;
    start = end;
  }
  return Math.min(1, dcg / ideal);
}

export interface RankAgreement {
  spearman: number | null;
  kendall: number | null;
  topK: number | null;
  ndcg: number | null;
}

/** All four metrics of one criterion against one perturbation's drops on one model. */
export function rankAgreement(scores: readonly number[], drops: readonly number[], topKFraction = 0.2): RankAgreement {
  return {
    spearman: spearman(scores, drops),
    kendall: kendallTauB(scores, drops),
    topK: topKPrecision(scores, drops, topKFraction),
    ndcg: ndcg(scores, drops),
  };
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function clampUnit(x: number): number {
  return Math.max(-1, Math.min(1, x));
}

function checkPair(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new RangeError(`rank metrics need equally long arrays, got ${a.length} and ${b.length}`);
  for (const v of a) if (!Number.isFinite(v)) throw new RangeError(`rank metrics need finite values, got ${v}`);
  for (const v of b) if (!Number.isFinite(v)) throw new RangeError(`rank metrics need finite values, got ${v}`);
}
