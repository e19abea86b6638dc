/**
 * The criteria × perturbation table. For every model (matched by model_sha256), perturbation and
 * criterion: the four rank metrics over the layers that both the ground truth and the scores cover.
 * Within a model, the levels of one perturbation family (prune:0.3, prune:0.5, ...) are averaged
 * (by = 'family'; by = 'perturbation' keeps every level apart); across models, the mean and a
 * bootstrap confidence interval over models. Each cell says how many models and layers it covers
 * and the criterion's mean cost in seconds on those models. The frontier of a column lists the
 * criteria that no other criterion beats in both cost (seconds) and mean Spearman ρ; costs below
 * `costFloor` (10 ms) count as equal, since timing differences there are noise, not cost.
 */
import { BOOTSTRAP_DEFAULTS } from './bootstrap.js';
import { cellOf, criterionSummaries, mergeScores } from './cells.js';
import { sortColumns } from './columns.js';
import { forCheck, FOR_CHECK, recommendFor } from './for-check.js';
import { perturbationFamily } from '../perturb/index.js';
import { frontierOf } from './frontier.js';
import { rankAgreement, spearman, type RankAgreement } from './rank-metrics.js';
import { budgetRegret } from './regret.js';
import { cellReliability } from './reliability.js';
import { MIN_QUALIFIED_MODELS, recommend, RECOMMENDATION_TOLERANCE } from './recommend.js';
import { BENCH_DEFAULTS, type BenchCell, type BenchOptions, type BenchTable, type ModelRow, type Recommendation, type TruthReliability } from './types.js';
import type { ModelScores } from './scores.js';
import type { DropTable } from '../rows/summary.js';

/** Builds the table from ground truth and score reports (matched by model_sha256). */
export function buildBenchTable(truth: DropTable, scoreFiles: readonly ModelScores[], options: BenchOptions = {}): BenchTable {
  const by = options.by ?? BENCH_DEFAULTS.by;
  const topKFraction = options.topKFraction ?? BENCH_DEFAULTS.topKFraction;
  const bootstrap = {
    resamples: options.bootstrap?.resamples ?? BOOTSTRAP_DEFAULTS.resamples,
    confidence: options.bootstrap?.confidence ?? BOOTSTRAP_DEFAULTS.confidence,
    seed: options.bootstrap?.seed ?? BOOTSTRAP_DEFAULTS.seed,
  };
  const minReliability = options.minReliability ?? BENCH_DEFAULTS.minReliability;
  const notes = [...truth.notes];
  const { scores: scoresByModel, forScores } = mergeScores(scoreFiles, notes);

  // Each cell of the truth's reliability, once.
  const reliability: TruthReliability[] = [];
  const reliabilityAt = new Map<string, TruthReliability>();
  for (const [sha, modelTruth] of truth.models) {
    for (const p of modelTruth.perturbations.values()) {
      const r = cellReliability([...p.layers.values()]);
      const entry: TruthReliability = {
        model_sha256: sha, model: modelTruth.model, perturbation: p.perturbation, family: p.family, layers: p.layers.size,
        reliability: r?.reliability ?? null, ceiling: r?.ceiling ?? null, signal: r?.signal ?? null, kind: r?.kind ?? null,
        qualified: r !== null && r.reliability >= minReliability,
      };
      reliability.push(entry);
      reliabilityAt.set(`${sha}\0${p.perturbation}`, entry);
    }
  }

  const rows: ModelRow[] = [];
  const modelsOut: BenchTable['models'] = [];
  for (const [sha, modelTruth] of truth.models) {
    const scored = scoresByModel.get(sha);
    const truthLayers = new Set<string>();
    for (const p of modelTruth.perturbations.values()) for (const l of p.layers.keys()) truthLayers.add(l);
    modelsOut.push({
      model_sha256: sha,
      model: modelTruth.model,
      truth_layers: truthLayers.size,
      perturbations: sortColumns([...modelTruth.perturbations.keys()]),
      criteria: scored?.size ?? 0,
    });
    if (!scored) {
      notes.push(`model ${modelTruth.model} (${sha.slice(0, 12)}…) has ground truth but no scores; give its score file with --scores`);
      continue;
    }
    for (const criterion of scored.values()) {
      const missing = [...truthLayers].filter((l) => !criterion.scores.has(l));
      if (missing.length > 0) {
        notes.push(`${criterion.name} on ${modelTruth.model}: ${missing.length} layer(s) with ground truth have no (finite) score and are left out, e.g. "${missing[0]}"`);
      }
      for (const p of modelTruth.perturbations.values()) {
        const names = [...p.layers.keys()].filter((l) => criterion.scores.has(l));
        const scores = names.map((l) => criterion.scores.get(l) as number);
        const cells = names.map((l) => p.layers.get(l)!);
        const drops = cells.map((c) => c.drop);
        const m: RankAgreement = names.length >= 2 ? rankAgreement(scores, drops, topKFraction) : { spearman: null, kendall: null, topK: null, ndcg: null };
        const continuous = (values: (number | null)[]) => (names.length >= 2 && values.every((v): v is number => v !== null) ? spearman(scores, values) : null);
        const r = reliabilityAt.get(`${sha}\0${p.perturbation}`)!;
        rows.push({
          model_sha256: sha,
          model: modelTruth.model,
          criterion: criterion.name,
          perturbation: p.perturbation,
          family: p.family,
          layers: names.length,
          seeds: Math.min(...names.map((l) => p.layers.get(l)?.seeds ?? 0)),
          spearman: m.spearman,
          kendall: m.kendall,
          top_k: m.topK,
          ndcg: m.ndcg,
          spearman_loss: continuous(cells.map((c) => c.lossIncrease)),
          spearman_kl: continuous(cells.map((c) => c.kl)),
          reliability: r.reliability,
          ceiling: r.ceiling,
          qualified: r.qualified,
        });
      }
    }
  }
  for (const [sha, criteria] of scoresByModel) {
    if (!truth.models.has(sha)) {
      const file = [...criteria.values()][0]?.file ?? '?';
      notes.push(`${file}: model ${sha.slice(0, 12)}… has no ground truth in the given files and is left out`);
    }
  }

  const criteria = criterionSummaries(scoresByModel, truth);
  const columnOf = (r: ModelRow): string => (by === 'family' ? r.family : r.perturbation);
  const columns = sortColumns([...new Set(rows.map(columnOf))]);
  const cells: BenchCell[] = [];
  for (const c of criteria) {
    for (const column of columns) {
      const mine = rows.filter((r) => r.criterion === c.name && columnOf(r) === column);
      if (mine.length === 0) continue;
      cells.push(cellOf(c, column, mine, scoresByModel, bootstrap));
    }
  }
  // Budget regret, attached to the criterion instance in the column its kind answers for.
  const regret = options.curves ? budgetRegret(options.curves, bootstrap, notes) : [];
  for (const cell of cells) cell.regret = regret.find((r) => r.column === cell.perturbation && r.criterion === cell.criterion)?.regret ?? null;
  const costFloor = options.costFloor ?? BENCH_DEFAULTS.costFloor;
  const frontier = columns.map((column) => ({ perturbation: column, points: frontierOf(cells.filter((cell) => cell.perturbation === column), costFloor) }));
  const recommendations: Recommendation[] = [];
  for (const column of columns) {
    const inColumn = reliability.filter((r) => (by === 'family' ? r.family : r.perturbation) === column);
    const qualified = inColumn.filter((r) => r.qualified);
    const evidence = { cells: qualified.length, total: inColumn.length, models: new Set(qualified.map((r) => r.model_sha256)).size };
    const supported = evidence.models >= MIN_QUALIFIED_MODELS;
    // Too few models with signal: the pick falls back to every cell, said to be unsupported (a default must still exist).
    const judged = supported
      ? cells.filter((cell) => cell.perturbation === column)
      : criteria.flatMap((c) => {
        const mine = rows.filter((r) => r.criterion === c.name && columnOf(r) === column).map((r) => ({ ...r, qualified: true }));
        return mine.length === 0 ? [] : [{ ...cellOf(c, column, mine, scoresByModel, bootstrap), regret: cells.find((x) => x.criterion === c.name && x.perturbation === column)?.regret ?? null }];
      });
    const pick = recommend(judged, criteria, costFloor);
    if (pick) recommendations.push({ ...pick, basis: supported ? 'qualified' : 'every-cell', supported, evidence });
    if (!supported) {
      notes.push(
        `${column}: ${evidence.cells} of its ${inColumn.length} cell(s) have a ranking of layers with reliability ≥ ${minReliability}, ` +
          `from ${evidence.models} model(s); a recommendation needs them from at least ${MIN_QUALIFIED_MODELS} models, so ` +
          (pick ? `${pick.criterion} is judged on every cell, where the accuracy drops are mostly noise, and the evidence does not support it` : 'no recommendation is made'),
      );
    }
  }
  const forChecked = forCheck(truth, reliability, forScores, notes);
  return {
    version: 1, by, top_k_fraction: topKFraction, cost_floor: costFloor, bootstrap, min_reliability: minReliability, reliability, regret,
    models: modelsOut, columns, criteria, cells, frontier, recommendations, recommendation_tolerance: RECOMMENDATION_TOLERANCE, rows,
    for_check: forChecked, for_recommendations: recommendFor(forChecked, columns, (p) => (by === 'family' ? perturbationFamily(p) : p), costFloor), for_check_rule: { min_reliability: FOR_CHECK.minReliability, tolerance: FOR_CHECK.tolerance }, notes,
  };
}

