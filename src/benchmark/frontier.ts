/** The cost–quality frontier of one column of the benchmark table. */
import type { BenchCell, FrontierPoint } from './types.js';

/**
 * Cells not dominated in (cost ↓, mean ρ ↑): no other cell is at most as costly and at least as good,
 * and better in one. Cost is max(seconds, costFloor).
 */
export function frontierOf(cells: readonly BenchCell[], costFloor = 0): FrontierPoint[] {
  const points: FrontierPoint[] = [];
  for (const cell of cells) {
    if (cell.seconds === null || cell.spearman === null) continue;
    points.push({ criterion: cell.criterion, seconds: cell.seconds, spearman: cell.spearman.mean });
  }
  const cost = (p: FrontierPoint): number => Math.max(p.seconds, costFloor);
  const dominated = (p: FrontierPoint): boolean =>
    points.some((q) => q !== p && cost(q) <= cost(p) && q.spearman >= p.spearman && (cost(q) < cost(p) || q.spearman > p.spearman));
  return points.filter((p) => !dominated(p)).sort((a, b) => a.seconds - b.seconds || b.spearman - a.spearman);
}

