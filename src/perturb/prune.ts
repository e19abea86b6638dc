import { forEachEntry, type ChannelLayout, type PerturbResult } from './target.js';

/**
 * `prune:r` — unstructured magnitude pruning: of the entries stably sorted by
 * |w| (ties in flat-index order), the first floor(r·n) become +0. floor(r·n)
 * is taken on the float64 product, as Python's `int(r * n)` does.
 *
 * Runs in O(n) by radix selection instead of a full sort: |w| of a float32 is
 * ordered like its bit pattern with the sign cleared (NaN above +Infinity, so
 * NaN counts as largest, and −0 ties with +0). Everything below the threshold
 * key is zeroed, plus the first few entries equal to it in flat order — the
 * same set a stable sort would give.
 */
export function prune(weight: Float32Array, ratio: number): Float32Array {
  const out = weight.slice();
  const count = Math.floor(ratio * out.length);
  if (count === 0) return out;
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  const threshold = selectThreshold(bits, count);
  let tiesLeft = threshold.ties;
  for (let i = 0; i < bits.length; i++) {
    const key = magnitudeKey(bits[i]!);
    if (key < threshold.key || (key === threshold.key && tiesLeft-- > 0)) out[i] = 0;
  }
  return out;
}

/**
 * `prunec:r` — structured pruning: rank channels by the L2 norm of their
 * weights (computed in float64; NaN counts as largest; ties keep the lower
 * channel index first) and zero the floor(r·C) smallest, weights and bias.
 */
export function prunec(
  weight: Float32Array,
  layout: ChannelLayout,
  ratio: number,
  bias: Float32Array | undefined,
): PerturbResult {
  const count = Math.floor(ratio * layout.channels);
  const pruned = smallestChannels(channelNorms(weight, layout), count);
  const out = weight.slice();
  forEachEntry(layout, (i, c) => {
    if (pruned.has(c)) out[i] = 0;
  });
  if (count === 0 || bias === undefined) return { weight: out };
  const newBias = bias.slice();
  for (const c of pruned) newBias[c] = 0;
  return { weight: out, bias: newBias };
}

function magnitudeKey(bits: number): number {
  return bits & 0x7fffffff;
}

interface Threshold {
  /** Magnitude key of the count-th smallest entry. */
  key: number;
  /** How many entries equal to `key` (the first ones in flat order) are among the smallest `count`. */
  ties: number;
}

/** Two-pass radix selection on 31-bit magnitude keys: high 15 bits, then low 16 bits. */
function selectThreshold(bits: Uint32Array, count: number): Threshold {
  const highCounts = new Uint32Array(1 << 15);
  for (let i = 0; i < bits.length; i++) highCounts[magnitudeKey(bits[i]!) >>> 16]! += 1;
  const high = findBucket(highCounts, count);

  const lowCounts = new Uint32Array(1 << 16);
  for (let i = 0; i < bits.length; i++) {
    const key = magnitudeKey(bits[i]!);
    if (key >>> 16 === high.bucket) lowCounts[key & 0xffff]! += 1;
  }
  const low = findBucket(lowCounts, count - high.below);
  return { key: (high.bucket << 16) | low.bucket, ties: count - high.below - low.below };
}

/** The bucket holding the rank-th smallest item (1-based), and how many items lie in lower buckets. */
function findBucket(counts: Uint32Array, rank: number): { bucket: number; below: number } {
  let below = 0;
  for (let bucket = 0; bucket < counts.length; bucket++) {
    const inBucket = counts[bucket]!;
    if (below + inBucket >= rank) return { bucket, below };
    below += inBucket;
  }
  throw new Error(`rank ${rank} exceeds the ${below} counted items`);
}

function channelNorms(weight: Float32Array, layout: ChannelLayout): Float64Array {
  const sums = new Float64Array(layout.channels);
  forEachEntry(layout, (i, c) => {
    const w = weight[i]!;
    sums[c]! += w * w;
  });
  return sums.map(Math.sqrt);
}

function smallestChannels(norms: Float64Array, count: number): Set<number> {
  const order = Array.from(norms.keys()).sort((a, b) => compareNanLast(norms[a]!, norms[b]!) || a - b);
  return new Set(order.slice(0, count));
}

function compareNanLast(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  return a < b ? -1 : a > b ? 1 : 0;
}
