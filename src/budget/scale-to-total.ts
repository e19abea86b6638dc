/** Proportional targets with caps, re-scaled until they sum to a total (as ERK does with dense layers). */

/**
 * t_l = min(cap_l, λ·w_l) with λ chosen so that Σ t_l = total: solve for λ, cap the layers that reach their
 * cap, re-solve for the rest, until none is newly capped. Undefined when even all caps fall short.
 */
export function scaleToTotal(weights: readonly number[], caps: readonly number[], total: number): number[] | undefined {
  const capped = weights.map(() => false);
  for (;;) {
    const rest = total - caps.reduce((acc, c, l) => acc + (capped[l] ? c : 0), 0);
    const denominator = weights.reduce((acc, w, l) => acc + (capped[l] ? 0 : w), 0);
    if (denominator === 0) return rest <= 0 ? caps.map((c, l) => (capped[l] ? c : 0)) : undefined;
    const lambda = rest / denominator;
    const newly = weights.map((w, l) => !capped[l] && lambda * w >= caps[l]!);
    if (!newly.some(Boolean)) return weights.map((w, l) => (capped[l] ? caps[l]! : lambda * w));
    newly.forEach((n, l) => {
      if (n) capped[l] = true;
    });
  }
}
