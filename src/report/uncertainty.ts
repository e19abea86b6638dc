/** The reliability of a ranking of layers, as the benchmark estimates it (benchmark/reliability.ts). */
import { cellReliability } from '../benchmark/reliability.js';
import type { DropCell, Reliability } from './report-data.js';

/** One perturbation's reliability and noise ceiling over its layers' drops; unknown below 3 layers or without errors. */
export function reliabilityOf(perturbation: string, cells: readonly DropCell[]): Reliability {
  const r = cellReliability(cells);
  return r === null
    ? { perturbation, value: null, kind: 'unknown', ceiling: null }
    : { perturbation, value: r.reliability, kind: r.kind, ceiling: r.ceiling };
}
