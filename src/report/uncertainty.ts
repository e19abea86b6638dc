/** The reliability of a ranking of layers, from the drops' standard errors (rows/uncertainty.ts). */
import type { DropCell, Reliability } from './report-data.js';

/**
 * Reliability of one perturbation's ranking of layers, classical test theory style:
 * 1 − mean(se²)/var(drops), the share of the spread between layers that is not measurement noise.
 * Errors that are upper bounds give a lower bound; the seed spread alone leaves the image noise out
 * and gives an upper bound. Needs 3 layers and drops that differ.
 */
export function reliabilityOf(perturbation: string, cells: readonly DropCell[]): Reliability {
  const unknown: Reliability = { perturbation, value: null, kind: 'unknown', ceiling: null };
  if (cells.length < 3 || cells.some((c) => c.se === null)) return unknown;
  const sources = new Set(cells.map((c) => c.seSource));
  const kind: Reliability['kind'] | null =
    sources.size === 1 && sources.has('paired') ? 'estimate'
      : !sources.has('seeds') && !sources.has('none') ? 'lower-bound'
        : sources.size === 1 && sources.has('seeds') ? 'upper-bound'
          : null;
  if (kind === null) return unknown;
  const n = cells.length;
  const mean = cells.reduce((sum, c) => sum + c.drop, 0) / n;
  const variance = cells.reduce((sum, c) => sum + (c.drop - mean) ** 2, 0) / (n - 1);
  if (!(variance > 0)) return unknown;
  const noise = cells.reduce((sum, c) => sum + (c.se as number) ** 2, 0) / n;
  const value = Math.min(1, Math.max(0, 1 - noise / variance));
  return { perturbation, value, kind, ceiling: Math.sqrt(value) };
}
