/**
 * The check of `safer score --for`: in every cell of the truth (model × perturbation level) whose
 * ranking of layers is reliable enough to judge by (reliability ≥ FOR_CHECK.minReliability), the
 * Spearman ρ of each criterion made for that very perturbation against the measured drops, beside the
 * cell's noise ceiling. A criterion is good enough on a cell where ρ is within FOR_CHECK.tolerance of
 * the ceiling. Per column, the criterion that `--for` should compute is the one good enough on the most
 * cells, among those checked on every cell of the column that any is checked on; then the cheaper;
 * then the smaller median shortfall (recommendFor). A column whose reliable cells come from fewer than
 * MIN_QUALIFIED_MODELS models gets no pick (its family recommendation stands).
 */
import type { DropTable } from '../rows/summary.js';
import { COST_RATIO, MIN_QUALIFIED_MODELS } from './recommend.js';
import type { Scored } from './cells.js';
import { spearman } from './rank-metrics.js';
import type { TruthReliability } from './types.js';

export const FOR_CHECK = { minReliability: 0.9, tolerance: 0.1 } as const;

export interface ForCheckRow {
  model_sha256: string;
  model: string;
  perturbation: string;
  /** The criterion id ("output-kl"), the same for all its instances. */
  criterion_id: string;
  /** The result's criterion instance, e.g. "output-kl@prune:0.9". */
  criterion: string;
  layers: number;
  /** The result's cost, as score reports it. */
  seconds: number;
  reliability: number;
  ceiling: number;
  spearman: number;
  /** ceiling − ρ: how far the criterion falls short of a perfect one, on this cell. */
  gap: number;
  within: boolean;
}

/** How one criterion fares on a column's reliable cells. */
export interface ForCandidate {
  criterion_id: string;
  cells: number;
  within: number;
  median_gap: number;
  worst_gap: number;
  /** Mean seconds of one result over the cells. */
  seconds: number;
}

/** Per column, the criterion `--for` should compute (its figures), and every criterion checked, best first. */
export interface ForRecommendation extends ForCandidate {
  perturbation: string;
  candidates: ForCandidate[];
}

/** Per model, the score results made with --for, by the canonical text of the perturbation they are for, then criterion id. */
export type ForScores = Map<string, Map<string, Map<string, Scored>>>;

export const criterionId = (name: string): string => name.split('@')[0] as string;

/** Every reliable cell × every --for result at its perturbation, in the order of `reliability`. */
export function forCheck(truth: DropTable, reliability: readonly TruthReliability[], forScores: ForScores, notes: string[]): ForCheckRow[] {
  const out: ForCheckRow[] = [];
  let missing = 0;
  for (const r of reliability) {
    if (r.reliability === null || r.ceiling === null || r.reliability < FOR_CHECK.minReliability) continue;
    const results = forScores.get(r.model_sha256)?.get(r.perturbation);
    const cells = truth.models.get(r.model_sha256)?.perturbations.get(r.perturbation)?.layers;
    if (!results || !cells) {
      missing += 1;
      continue;
    }
    for (const [id, result] of results) {
      const layers = [...cells.keys()].filter((l) => result.scores.has(l));
      if (layers.length < 3) continue;
      const rho = spearman(layers.map((l) => result.scores.get(l) as number), layers.map((l) => cells.get(l)!.drop));
      if (rho === null) continue;
      const gap = r.ceiling - rho;
      out.push({
        model_sha256: r.model_sha256, model: r.model, perturbation: r.perturbation, criterion_id: id, criterion: result.name, layers: layers.length, seconds: result.seconds,
        reliability: r.reliability, ceiling: r.ceiling, spearman: rho, gap, within: gap <= FOR_CHECK.tolerance,
      });
    }
  }
  if (missing > 0 && forScores.size > 0) {
    notes.push(`${missing} cell(s) with reliability ≥ ${FOR_CHECK.minReliability} have no result of "safer score --for" at their perturbation and are not checked`);
  }
  return out;
}

/**
 * Per column (by `columnOf` a perturbation), the criterion --for should compute, from the check's rows:
 * among the criteria checked on all the column's cells, those good enough on the most cells; of these
 * the cheapest, costs under `costFloor` or within COST_RATIO of the cheapest counting as equal (as in
 * recommend.ts); then the smaller median shortfall, then the name.
 */
export function recommendFor(rows: readonly ForCheckRow[], columns: readonly string[], columnOf: (perturbation: string) => string, costFloor: number): ForRecommendation[] {
  const out: ForRecommendation[] = [];
  for (const column of columns) {
    const mine = rows.filter((r) => columnOf(r.perturbation) === column);
    const byId = new Map<string, ForCheckRow[]>();
    for (const r of mine) byId.set(r.criterion_id, [...(byId.get(r.criterion_id) ?? []), r]);
    const most = Math.max(0, ...[...byId.values()].map((list) => list.length));
    const candidates: ForCandidate[] = [...byId].map(([id, list]) => {
      const gaps = list.map((r) => r.gap).sort((a, b) => a - b);
      return {
        criterion_id: id, cells: list.length, within: list.filter((r) => r.within).length,
        median_gap: gaps[Math.floor((gaps.length - 1) / 2)] as number, worst_gap: gaps[gaps.length - 1] as number,
        seconds: list.reduce((sum, r) => sum + r.seconds, 0) / list.length,
      };
    });
    const byGap = (a: ForCandidate, b: ForCandidate): number => a.median_gap - b.median_gap || a.criterion_id.localeCompare(b.criterion_id);
    candidates.sort((a, b) => Number(b.cells === most) - Number(a.cells === most) || b.within - a.within || byGap(a, b));
    const complete = candidates.filter((c) => c.cells === most);
    const best = Math.max(...complete.map((c) => c.within));
    const cost = (c: ForCandidate): number => Math.max(c.seconds, costFloor);
    const eligible = complete.filter((c) => c.within === best);
    const cheapest = Math.min(...eligible.map(cost));
    const pick = eligible.filter((c) => cost(c) <= cheapest * COST_RATIO).sort(byGap)[0];
    const models = new Set(mine.filter((r) => r.criterion_id === pick?.criterion_id).map((r) => r.model_sha256)).size;
    if (pick && models >= MIN_QUALIFIED_MODELS) out.push({ perturbation: column, ...pick, candidates });
  }
  return out;
}
