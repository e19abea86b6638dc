/** One global threshold on per-layer scores: the K smallest scores of all layers, exact, with stable ties. */

/**
 * Per-layer counts of the K globally smallest scores. `sorted[l]` holds layer l's scores in ascending order
 * (layers in layer-index order); NaN counts as +Infinity. A threshold v = the K-th smallest score: every score
 * below v is taken, and of those equal to v, the first in (layer index, position) order, so each layer gives
 * a prefix of its ascending order — what `prune:r` removes with k = floor(r·n).
 */
export function countsBelowGlobalThreshold(sorted: readonly Float64Array[], total: number): number[] {
  if (total === 0) return sorted.map(() => 0);
  const all = new Float64Array(sorted.reduce((acc, s) => acc + s.length, 0));
  let offset = 0;
  for (const s of sorted) {
    for (let i = 0; i < s.length; i++) all[offset + i] = Number.isNaN(s[i]!) ? Infinity : s[i]!;
    offset += s.length;
  }
  if (total > all.length) throw new Error(`internal error: ${total} of ${all.length} scores requested`);
  all.sort();
  const threshold = all[total - 1]!;
  const below = sorted.map((s) => countWhile(s, (x) => x < threshold));
  let ties = total - below.reduce((a, b) => a + b, 0);
  return sorted.map((s, l) => {
    const equal = countWhile(s.subarray(below[l]), (x) => (Number.isNaN(x) ? Infinity : x) === threshold);
    const take = Math.min(equal, ties);
    ties -= take;
    return below[l]! + take;
  });
}

/** Length of the prefix of an ascending array whose entries satisfy `test` (binary search). */
function countWhile(sorted: Float64Array, test: (x: number) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(sorted[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** |w| of a weight tensor in ascending order (float32 values, exact), NaN last. */
export function sortedMagnitudes(weight: Float32Array): Float64Array {
  const mags = Float32Array.from(weight, Math.abs).sort();
  return Float64Array.from(mags);
}
