/** The additivity ratio of a plan. */

/** Measured drop of the whole plan ÷ Σ_l predicted single-layer drops; null when that sum is 0. */
export function additivityRatio(measured: number, singleLayer: Iterable<number>): number | null {
  let sum = 0;
  for (const c of singleLayer) sum += c;
  return sum === 0 ? null : measured / sum;
}
