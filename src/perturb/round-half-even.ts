/**
 * Rounds to the nearest integer, ties to even (IEEE roundTiesToEven, like
 * `torch.round` and `numpy.round`). `Math.round` rounds ties up instead.
 * The sign is kept, so −0.4 gives −0, as torch does. NaN and ±Infinity pass through.
 */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const magnitude = roundMagnitude(Math.abs(x));
  return x < 0 ? -magnitude : magnitude;
}

/** For a ≥ 0, a − floor(a) is exact in float64, so the tie test is exact. */
function roundMagnitude(a: number): number {
  const floor = Math.floor(a);
  const fraction = a - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
