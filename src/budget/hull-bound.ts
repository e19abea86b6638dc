/** The linear-programming lower bound of a prune problem: the cost curves' lower convex hulls, filled by slope. */
import type { CountPoint } from './curves.js';

/**
 * min Σ_l ĉ_l(k_l) s.t. Σ_l k_l = total over real k_l, where ĉ_l is the lower convex hull of layer l's points
 * (ĉ_l ≤ its interpolated curve, so this bounds the integer optimum from below): start every layer at count 0
 * and take hull segments in increasing slope (within a layer they increase, so each layer fills in order).
 * Undefined if the curves cannot reach the total.
 */
export function convexHullLowerBound(curves: readonly (readonly CountPoint[])[], total: number): number | undefined {
  let cost = curves.reduce((acc, points) => acc + points[0]!.cost, 0);
  const segments = curves.flatMap((points) => {
    const hull = lowerHull(points);
    return hull.slice(1).map((p, i) => ({ length: p.count - hull[i]!.count, slope: (p.cost - hull[i]!.cost) / (p.count - hull[i]!.count) }));
  });
  segments.sort((a, b) => a.slope - b.slope);
  let left = total;
  for (const { length, slope } of segments) {
    if (left === 0) break;
    const take = Math.min(length, left);
    cost += slope * take;
    left -= take;
  }
  return left === 0 ? cost : undefined;
}

/** Andrew's monotone chain on points sorted by count: the lower convex hull, from the first point to the last. */
function lowerHull(points: readonly CountPoint[]): CountPoint[] {
  const hull: CountPoint[] = [];
  for (const p of points) {
    while (hull.length >= 2) {
      const a = hull[hull.length - 2]!;
      const b = hull[hull.length - 1]!;
      // Drop b when it lies on or above the chord a→p.
      if ((b.cost - a.cost) * (p.count - a.count) >= (p.cost - a.cost) * (b.count - a.count)) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}
