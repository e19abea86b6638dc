/**
 * The DP of the prune solver: every layer at one of its measured points except at most one "free" layer,
 * which may take any count on its interpolated curve, with Σ counts = K exactly (the structure of an optimum,
 * see solve-prune.ts). Two tables over the pruned count: D0 (no free layer yet) and D1 (one used):
 *   D0'[c] = min_j D0[c − k_j] + c_j
 *   D1'[c] = min( min_j D1[c − k_j] + c_j,  min_segments min_{t ∈ [a, b]} D0[c − t] + c_a + s·(t − a) )
 * The inner minimum is s·c + c_a − s·a + min_{c' ∈ [c − b, c − a]} (D0[c'] − s·c'): a sliding-window minimum,
 * so a segment costs O(cells) like a point. On unit cells (K + 1 cells fit the limit) the result is the exact
 * optimum; otherwise counts are rounded to cells of u weights and the free layer's exact count is set to
 * K − Σ others afterwards (the caller spreads any remaining difference).
 */
import type { CountPoint } from './curves.js';
import type { KnapsackLimits } from './knapsack.js';

export interface PruneDpResult {
  /** Pruned count per layer, before the final exact-count adjustment. */
  readonly counts: number[];
  /** The layer whose count is free (off its measured points), or −1. */
  readonly free: number;
  /** True when the DP ran on unit cells: the counts are the exact optimum. */
  readonly exact: boolean;
  readonly cells: number;
}

/** Solves the free-layer DP; undefined only if not even count 0 is reachable (no layers with curves). */
export function pruneDp(curves: readonly (readonly CountPoint[])[], target: number, limits: KnapsackLimits): PruneDpResult | undefined {
  const L = curves.length;
  const operationsPerCell = Math.max(1, curves.reduce((acc, pts) => acc + 3 * pts.length, 0));
  const states = Math.max(2, Math.min(limits.maxCells, Math.floor(limits.maxOperations / operationsPerCell)));
  const exact = target + 1 <= states;
  const unit = exact ? 1 : Math.ceil(target / (states - 1));
  const T = Math.round(target / unit);
  const size = T + 1;
  const cellsOf = (count: number) => Math.round(count / unit);

  const maxPoints = Math.max(...curves.map((pts) => pts.length));
  const SEGMENT = maxPoints; // choice codes ≥ SEGMENT are segments
  const choice0 = new Uint16Array(L * size);
  const choice1 = new Uint16Array(L * size);
  const from = new Int32Array(L * size);
  let d0 = new Float64Array(size).fill(Infinity);
  let d1 = new Float64Array(size).fill(Infinity);
  d0[0] = 0;
  const window = new Int32Array(size);
  for (let l = 0; l < L; l++) {
    const pts = curves[l]!;
    const n0 = new Float64Array(size).fill(Infinity);
    const n1 = new Float64Array(size).fill(Infinity);
    const base = l * size;
    pts.forEach((p, j) => {
      const w = cellsOf(p.count);
      for (let c = w; c <= T; c++) {
        const v0 = d0[c - w]! + p.cost;
        if (v0 < n0[c]!) {
          n0[c] = v0;
          choice0[base + c] = j;
        }
        const v1 = d1[c - w]! + p.cost;
        if (v1 < n1[c]!) {
          n1[c] = v1;
          choice1[base + c] = j;
        }
      }
    });
    for (let g = 0; g + 1 < pts.length; g++) {
      const a = cellsOf(pts[g]!.count);
      const b = cellsOf(pts[g + 1]!.count);
      if (b <= a || a > T) continue;
      const slope = (pts[g + 1]!.cost - pts[g]!.cost) / (b - a);
      const offset = pts[g]!.cost - slope * a;
      const value = (i: number) => d0[i]! - slope * i;
      let head = 0;
      let tail = 0;
      for (let c = a; c <= T; c++) {
        const entering = c - a;
        while (tail > head && value(window[tail - 1]!) >= value(entering)) tail--;
        window[tail++] = entering;
        while (window[head]! < c - b) head++;
        const best = window[head]!;
        const v = offset + slope * c + value(best);
        if (v < n1[c]!) {
          n1[c] = v;
          choice1[base + c] = SEGMENT + g;
          from[base + c] = best;
        }
      }
    }
    d0 = n0;
    d1 = n1;
  }
  // Rounded counts may miss T near the curves' reach: end at the largest total reached (fixed up by the caller).
  let end = T;
  while (end >= 0 && !Number.isFinite(Math.min(d0[end]!, d1[end]!))) end--;
  if (end < 0) return undefined;
  const useFree = d1[end]! < d0[end]!;

  const counts = new Array<number>(L).fill(0);
  let free = -1;
  let state = useFree ? 1 : 0;
  let c = end;
  for (let l = L - 1; l >= 0; l--) {
    const code = (state === 1 ? choice1 : choice0)[l * size + c]!;
    if (state === 1 && code >= SEGMENT) {
      free = l;
      c = from[l * size + c]!;
      state = 0;
      continue;
    }
    counts[l] = curves[l]![code]!.count;
    c -= cellsOf(counts[l]!);
  }
  if (free >= 0) counts[free] = target - counts.reduce((a, b) => a + b, 0);
  return { counts, free, exact, cells: size };
}
