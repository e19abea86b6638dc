/**
 * Aggregation of the per-model rows into the table's cells: per criterion and column, the mean over
 * models of each rank metric with a bootstrap interval, and the criterion's mean cost.
 */
import { canonicalPerturbationText, perturbationFamily } from '../perturb/index.js';
import type { DropTable } from '../rows/summary.js';
import { bootstrapMean, type BootstrapOptions } from './bootstrap.js';
import { sortColumns } from './columns.js';
import { criterionId, type ForScores } from './for-check.js';
import type { CriterionScores, ModelScores } from './scores.js';
import { METRICS, type BenchCell, type BenchCriterion, type Metric, type ModelRow } from './types.js';

export type Scored = CriterionScores & { file: string };

/**
 * The criteria of every score file by model and name, and apart from them the results made with
 * `safer score --for` (by model and the canonical text of the perturbation they are for): those do not
 * compete in the table, and may share a name with a criterion that does.
 */
export function mergeScores(files: readonly ModelScores[], notes: string[]): { scores: Map<string, Map<string, Scored>>; forScores: ForScores } {
  const scores = new Map<string, Map<string, Scored>>();
  const forScores: ForScores = new Map();
  for (const file of files) {
    for (const c of file.criteria) {
      const scored = { ...c, file: file.file };
      if (c.for === null) {
        let byName = scores.get(file.modelSha256);
        if (!byName) scores.set(file.modelSha256, (byName = new Map()));
        const previous = byName.get(c.name);
        if (previous) notes.push(`${c.name} is scored twice for model ${file.model} (${previous.file}, ${file.file}); the later file is used`);
        byName.set(c.name, scored);
        continue;
      }
      let byPerturbation = forScores.get(file.modelSha256);
      if (!byPerturbation) forScores.set(file.modelSha256, (byPerturbation = new Map()));
      const perturbation = canonicalPerturbationText(c.for);
      let byId = byPerturbation.get(perturbation);
      if (!byId) byPerturbation.set(perturbation, (byId = new Map()));
      const previous = byId.get(criterionId(c.name));
      if (previous) notes.push(`${criterionId(c.name)} --for ${perturbation} is scored twice for model ${file.model} (${previous.file}, ${file.file}); the later file is used`);
      byId.set(criterionId(c.name), scored);
    }
  }
  return { scores, forScores };
}

export function criterionSummaries(scoresByModel: Map<string, Map<string, Scored>>, truth: DropTable): BenchCriterion[] {
  const seen = new Map<string, Scored[]>();
  for (const [sha, byName] of scoresByModel) {
    if (!truth.models.has(sha)) continue;
    for (const c of byName.values()) {
      const list = seen.get(c.name);
      if (list) list.push(c);
      else seen.set(c.name, [c]);
    }
  }
  return [...seen].map(([name, list]) => {
    const first = list[0] as Scored;
    const withPasses = list.filter((c) => c.passes !== null);
    return {
      name,
      family: first.family,
      perturbation: first.perturbation,
      seconds: mean(list.map((c) => c.seconds)),
      passes: withPasses.length === list.length && list.length > 0
        ? { forward: mean(list.map((c) => c.passes?.forward ?? 0)), backward: mean(list.map((c) => c.passes?.backward ?? 0)) }
        : null,
      models: list.length,
    };
  });
}

export function cellOf(
  c: BenchCriterion,
  column: string,
  rows: readonly ModelRow[],
  scoresByModel: Map<string, Map<string, Scored>>,
  bootstrap: Required<BootstrapOptions>,
): BenchCell {
  const byModel = new Map<string, ModelRow[]>();
  for (const r of rows) {
    const list = byModel.get(r.model_sha256);
    if (list) list.push(r);
    else byModel.set(r.model_sha256, [r]);
  }
  // The accuracy-drop metrics over the qualified rows only; the continuous truths over all rows.
  const perModel = (metric: Metric | 'spearman_loss' | 'spearman_kl' | 'ceiling', qualifiedOnly: boolean): number[] => {
    const values: number[] = [];
    for (const list of byModel.values()) {
      const defined = list.filter((r) => r.qualified || !qualifiedOnly).map((r) => r[metric]).filter((v): v is number => v !== null);
      if (defined.length > 0) values.push(mean(defined));
    }
    return values;
  };
  const contributing = [...byModel].filter(([, list]) => list.some((r) => r.qualified && METRICS.some((m) => r[m] !== null)));
  const levelsOf = (list: readonly ModelRow[]) => new Set(list.map((r) => r.perturbation)).size;
  const seconds = contributing.map(([sha]) => scoresByModel.get(sha)?.get(c.name)?.seconds).filter((s): s is number => s !== undefined);
  return {
    criterion: c.name,
    perturbation: column,
    targeted: c.perturbation !== null && perturbationFamily(c.perturbation) === perturbationFamily(column),
    models: contributing.length,
    layers: contributing.reduce((sum, [, list]) => sum + Math.max(...list.map((r) => r.layers)), 0),
    levels: sortColumns([...new Set(rows.map((r) => r.perturbation))]),
    cells: {
      qualified: [...byModel.values()].reduce((sum, list) => sum + levelsOf(list.filter((r) => r.qualified)), 0),
      total: [...byModel.values()].reduce((sum, list) => sum + levelsOf(list), 0),
    },
    ceiling: bootstrapMean(perModel('ceiling', true), bootstrap),
    seconds: seconds.length > 0 ? mean(seconds) : null,
    spearman: bootstrapMean(perModel('spearman', true), bootstrap),
    kendall: bootstrapMean(perModel('kendall', true), bootstrap),
    top_k: bootstrapMean(perModel('top_k', true), bootstrap),
    ndcg: bootstrapMean(perModel('ndcg', true), bootstrap),
    spearman_loss: bootstrapMean(perModel('spearman_loss', false), bootstrap),
    spearman_kl: bootstrapMean(perModel('spearman_kl', false), bootstrap),
    regret: null,
  };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
