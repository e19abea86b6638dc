/** Pruned counts and the ratios that produce them, with the same floor as `prune:r` (perturb/prune.ts). */

/** k = floor(r·n), the floor of the float64 product, as `prune:r` takes it. */
export function prunedCount(ratio: number, n: number): number {
  return Math.floor(ratio * n);
}

/** K = floor(s·N): the exact number of weights a global sparsity s prunes. */
export function pruneTarget(sparsity: number, total: number): number {
  return Math.floor(sparsity * total);
}

/**
 * The shortest decimal r ∈ [0, 1] with floor(r·n) = k, verified with the same floor as `prune:r`;
 * k/n itself when it verifies (0.57·100 = 56.99… does not), else a decimal inside [k/n, (k+1)/n).
 */
export function ratioForCount(k: number, n: number): number {
  if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`internal error: count ${k} outside [0, ${n}]`);
  if (k === 0) return 0;
  if (k === n) return 1;
  for (let digits = 1; digits <= 17; digits++) {
    for (const r of [k / n, (k + 0.5) / n]) {
      const candidate = Number(r.toPrecision(digits));
      if (candidate >= 0 && candidate <= 1 && prunedCount(candidate, n) === k) return candidate;
    }
  }
  throw new Error(`internal error: no ratio gives floor(r·${n}) = ${k}`);
}

/**
 * Integer counts k_l ∈ [0, cap_l] with Σ k_l = total, each within 1 of its real target t_l when the targets
 * lie inside the caps and sum to the total: floor, then one more to the largest fractional parts (ties: lower
 * position first), never above a cap. Undefined when the caps cannot hold the total.
 */
export function distributeCounts(targets: readonly number[], caps: readonly number[], total: number): number[] | undefined {
  const counts = targets.map((t, i) => Math.min(caps[i]!, Math.max(0, Math.floor(t))));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = targets.map((t, i) => ({ i, frac: t - Math.floor(t) })).sort((a, b) => b.frac - a.frac || a.i - b.i).map((e) => e.i);
  for (const i of order) {
    if (left <= 0) break;
    if (counts[i]! < caps[i]!) {
      counts[i]! += 1;
      left -= 1;
    }
  }
  // Targets clamped by a cap leave room elsewhere: fill it in the same order.
  for (const i of order) {
    if (left <= 0) break;
    const add = Math.min(left, caps[i]! - counts[i]!);
    counts[i]! += add;
    left -= add;
  }
  for (const i of [...order].reverse()) {
    if (left >= 0) break;
    const take = Math.min(-left, counts[i]!);
    counts[i]! -= take;
    left += take;
  }
  return left === 0 ? counts : undefined;
}
