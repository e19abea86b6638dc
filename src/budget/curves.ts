/** Reading per-layer cost curves: exact points (bits, bit error rate) and linear interpolation in pruned count. */
import { BudgetInputError } from './errors.js';
import { prunedCount } from './counts.js';
import { weightCount } from './layers.js';
import type { BudgetLayer, CostCurve, CostCurves } from './types.js';

/**
 * Cost curves from (layer, level, cost) entries; several entries at one level (seeds, repeats) are averaged.
 * @example costCurvesFrom(rows.map((r) => ({ layer: r.layer, level: r.bits, cost: r.drop })))
 */
export function costCurvesFrom(entries: Iterable<{ readonly layer: string; readonly level: number; readonly cost: number }>): CostCurves {
  const sums = new Map<string, Map<number, { sum: number; n: number }>>();
  for (const { layer, level, cost } of entries) {
    if (!Number.isFinite(level) || !Number.isFinite(cost)) {
      throw new BudgetInputError(`cost of layer "${layer}" at level ${level} is ${cost}; costs and levels must be finite numbers`);
    }
    const byLevel = sums.get(layer) ?? new Map<number, { sum: number; n: number }>();
    const cell = byLevel.get(level) ?? { sum: 0, n: 0 };
    byLevel.set(level, { sum: cell.sum + cost, n: cell.n + 1 });
    sums.set(layer, byLevel);
  }
  return new Map([...sums].map(([layer, byLevel]) => [layer, [...byLevel].sort((a, b) => a[0] - b[0]).map(([level, c]) => ({ level, cost: c.sum / c.n }))]));
}

/** The layer's curve, or a BudgetInputError naming the layer. */
export function curveOf(curves: CostCurves, layer: BudgetLayer): CostCurve {
  const curve = curves.get(layer.name);
  if (curve === undefined || curve.length === 0) {
    throw new BudgetInputError(`the cost curves have no entry for layer "${layer.name}"`);
  }
  for (const p of curve) {
    if (!Number.isFinite(p.level) || !Number.isFinite(p.cost)) {
      throw new BudgetInputError(`cost curve of layer "${layer.name}": cost ${p.cost} at level ${p.level}; both must be finite numbers`);
    }
  }
  return curve;
}

/** The cost at exactly `level` (bits; or a bit error rate, matched to a relative 1e-9), or undefined. */
export function costAt(curve: CostCurve, level: number): number | undefined {
  return curve.find((p) => p.level === level || Math.abs(p.level - level) <= 1e-9 * Math.abs(level))?.cost;
}

/** costAt, or a BudgetInputError naming the layer, the level and the levels the curve has. */
export function requireCostAt(curves: CostCurves, layer: BudgetLayer, level: number, unit: string): number {
  const curve = curveOf(curves, layer);
  const cost = costAt(curve, level);
  if (cost === undefined) {
    const levels = curve.map((p) => p.level).join(', ');
    throw new BudgetInputError(`cost curve of layer "${layer.name}" has no point at ${level}${unit} (it has ${levels})`);
  }
  return cost;
}

/** A point of a prune curve in pruned counts: k = floor(r·n) and its cost. */
export interface CountPoint {
  readonly count: number;
  readonly cost: number;
}

/**
 * The curve of a layer as counts. Ratios that floor to the same count are the same perturbation: their costs
 * are averaged, except at count 0, which leaves the layer unchanged and costs 0 by definition.
 */
export function countCurve(curves: CostCurves, layer: BudgetLayer): CountPoint[] {
  const curve = curveOf(curves, layer);
  const n = weightCount(layer);
  const byCount = new Map<number, { sum: number; n: number }>();
  for (const { level, cost } of curve) {
    if (level < 0 || level > 1) throw new BudgetInputError(`cost curve of layer "${layer.name}": pruning ratio ${level} is outside [0, 1]`);
    const k = prunedCount(level, n);
    const cell = byCount.get(k) ?? { sum: 0, n: 0 };
    byCount.set(k, { sum: cell.sum + cost, n: cell.n + 1 });
  }
  byCount.set(0, { sum: 0, n: 1 });
  return [...byCount].sort((a, b) => a[0] - b[0]).map(([count, c]) => ({ count, cost: c.sum / c.n }));
}

/** The piecewise-linear interpolation of a count curve at k; undefined beyond its last point. */
export function costAtCount(points: readonly CountPoint[], k: number): number | undefined {
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (k === p.count) return p.cost;
    if (k < p.count) {
      const prev = points[i - 1];
      if (prev === undefined) return undefined;
      return prev.cost + ((p.cost - prev.cost) * (k - prev.count)) / (p.count - prev.count);
    }
  }
  return undefined;
}
