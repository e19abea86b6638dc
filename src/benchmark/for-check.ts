/**
 * The check of `safer score --for`: in every cell of the truth (model × perturbation level) whose
 * ranking of layers is reliable enough to judge by (reliability ≥ FOR_CHECK.minReliability), the
 * Spearman ρ of the criterion made for that very perturbation against the measured drops, beside the
 * cell's noise ceiling. The recommendation is good enough where ρ is within FOR_CHECK.tolerance of it.
 */
import type { DropTable } from '../rows/summary.js';
import type { Scored } from './cells.js';
import { spearman } from './rank-metrics.js';
import type { TruthReliability } from './types.js';

export const FOR_CHECK = { minReliability: 0.9, tolerance: 0.1 } as const;

export interface ForCheckRow {
  model_sha256: string;
  model: string;
  perturbation: string;
  /** The result's criterion instance, e.g. "output-kl@prune:0.9". */
  criterion: string;
  layers: number;
  reliability: number;
  ceiling: number;
  spearman: number;
  /** ceiling − ρ: how far the criterion falls short of a perfect one, on this cell. */
  gap: number;
  within: boolean;
}

/** Per model, the score results made with --for, by the canonical text of the perturbation they are for. */
export type ForScores = Map<string, Map<string, Scored>>;

/** Every reliable cell that has a --for result for its perturbation, in the order of `reliability`. */
export function forCheck(truth: DropTable, reliability: readonly TruthReliability[], forScores: ForScores, notes: string[]): ForCheckRow[] {
  const out: ForCheckRow[] = [];
  let missing = 0;
  for (const r of reliability) {
    if (r.reliability === null || r.ceiling === null || r.reliability < FOR_CHECK.minReliability) continue;
    const result = forScores.get(r.model_sha256)?.get(r.perturbation);
    const cells = truth.models.get(r.model_sha256)?.perturbations.get(r.perturbation)?.layers;
    if (!result || !cells) {
      missing += 1;
      continue;
    }
    const layers = [...cells.keys()].filter((l) => result.scores.has(l));
    if (layers.length < 3) continue;
    const rho = spearman(layers.map((l) => result.scores.get(l) as number), layers.map((l) => cells.get(l)!.drop));
    if (rho === null) continue;
    const gap = r.ceiling - rho;
    out.push({
      model_sha256: r.model_sha256, model: r.model, perturbation: r.perturbation, criterion: result.name, layers: layers.length,
      reliability: r.reliability, ceiling: r.ceiling, spearman: rho, gap, within: gap <= FOR_CHECK.tolerance,
    });
  }
  if (missing > 0 && forScores.size > 0) {
    notes.push(`${missing} cell(s) with reliability ≥ ${FOR_CHECK.minReliability} have no result of "safer score --for" at their perturbation and are not checked`);
  }
  return out;
}
