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
import { PERTURBATION_KINDS, perturbationFamily } from '../perturb/index.js';
import { BOOTSTRAP_DEFAULTS, bootstrapMean, type BootstrapOptions, type Estimate } from './bootstrap.js';
import { rankAgreement, type RankAgreement } from './rank-metrics.js';
import { recommend, RECOMMENDATION_TOLERANCE, type Recommendation } from './recommend.js';
import type { CriterionScores, ModelScores } from './scores.js';
import type { DropTable } from '../rows/summary.js';

export type GroupBy = 'family' | 'perturbation';

export interface BenchOptions {
  /** Columns: perturbation families (default) or every perturbation level apart. */
  by?: GroupBy;
  /** Fraction of layers in the top-k (default 0.2). */
  topKFraction?: number;
  /** Costs below this many seconds count as equal on the frontier (default 0.01: timer noise). */
  costFloor?: number;
  bootstrap?: BootstrapOptions;
}

/** How the table is built unless told otherwise. */
export const BENCH_DEFAULTS = { by: 'family' as GroupBy, topKFraction: 0.2, costFloor: 0.01 };

export const METRICS = ['spearman', 'kendall', 'top_k', 'ndcg'] as const;
export type Metric = (typeof METRICS)[number];

/** One criterion against one perturbation on one model. */
export interface ModelRow {
  model_sha256: string;
  model: string;
  criterion: string;
  perturbation: string;
  family: string;
  layers: number;
  /** Fewest seeds behind any of those layers' drops (1 for deterministic perturbations). */
  seeds: number;
  spearman: number | null;
  kendall: number | null;
  top_k: number | null;
  ndcg: number | null;
}

export interface BenchCell {
  criterion: string;
  /** Column key: a perturbation family or one perturbation. */
  perturbation: string;
  /** True if the criterion models a perturbation of this column's family. */
  targeted: boolean;
  /** Models with at least one defined metric. */
  models: number;
  /** Layers compared, summed over those models. */
  layers: number;
  /** Perturbation levels averaged within each model. */
  levels: string[];
  /** Mean cost (seconds) of the criterion on those models. */
  seconds: number | null;
  spearman: Estimate | null;
  kendall: Estimate | null;
  top_k: Estimate | null;
  ndcg: Estimate | null;
}

export interface BenchCriterion {
  name: string;
  family: string;
  perturbation: string | null;
  /** Mean seconds over the models it was scored on (that have ground truth). */
  seconds: number;
  /** Mean forward and backward image-passes, if the score files give them. */
  passes: { forward: number; backward: number } | null;
  models: number;
}

export interface FrontierPoint {
  criterion: string;
  seconds: number;
  spearman: number;
}

export interface BenchTable {
  version: 1;
  by: GroupBy;
  top_k_fraction: number;
  /** Seconds below which costs count as equal on the frontier. */
  cost_floor: number;
  bootstrap: { resamples: number; confidence: number; seed: number };
  models: { model_sha256: string; model: string; truth_layers: number; perturbations: string[]; criteria: number }[];
  /** Column keys in display order. */
  columns: string[];
  criteria: BenchCriterion[];
  cells: BenchCell[];
  /** Per column, the criteria not dominated in (seconds, mean ρ), by increasing cost. */
  frontier: { perturbation: string; points: FrontierPoint[] }[];
  /** Per column, the cheapest criterion within `recommendation_tolerance` of the best mean ρ (see recommend.ts). */
  recommendations: Recommendation[];
  recommendation_tolerance: number;
  rows: ModelRow[];
  notes: string[];
}

/** Builds the table from ground truth and score reports (matched by model_sha256). */
export function buildBenchTable(truth: DropTable, scoreFiles: readonly ModelScores[], options: BenchOptions = {}): BenchTable {
  const by = options.by ?? BENCH_DEFAULTS.by;
  const topKFraction = options.topKFraction ?? BENCH_DEFAULTS.topKFraction;
  const bootstrap = {
    resamples: options.bootstrap?.resamples ?? BOOTSTRAP_DEFAULTS.resamples,
    confidence: options.bootstrap?.confidence ?? BOOTSTRAP_DEFAULTS.confidence,
    seed: options.bootstrap?.seed ?? BOOTSTRAP_DEFAULTS.seed,
  };
  const notes = [...truth.notes];
  const scoresByModel = mergeScores(scoreFiles, notes);

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
        const drops = names.map((l) => p.layers.get(l)?.drop as number);
        const m: RankAgreement = names.length >= 2 ? rankAgreement(scores, drops, topKFraction) : { spearman: null, kendall: null, topK: null, ndcg: null };
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
  const costFloor = options.costFloor ?? BENCH_DEFAULTS.costFloor;
  const frontier = columns.map((column) => ({ perturbation: column, points: frontierOf(cells.filter((cell) => cell.perturbation === column), costFloor) }));
  const recommendations = columns
    .map((column) => recommend(cells.filter((cell) => cell.perturbation === column), criteria, costFloor))
    .filter((r): r is Recommendation => r !== null);
  return {
    version: 1, by, top_k_fraction: topKFraction, cost_floor: costFloor, bootstrap, models: modelsOut, columns, criteria, cells, frontier,
    recommendations, recommendation_tolerance: RECOMMENDATION_TOLERANCE, rows, notes,
  };
}

type Scored = CriterionScores & { file: string };

function mergeScores(files: readonly ModelScores[], notes: string[]): Map<string, Map<string, Scored>> {
  const out = new Map<string, Map<string, Scored>>();
  for (const file of files) {
    let byName = out.get(file.modelSha256);
    if (!byName) {
      byName = new Map();
      out.set(file.modelSha256, byName);
    }
    for (const c of file.criteria) {
      const previous = byName.get(c.name);
      if (previous) notes.push(`${c.name} is scored twice for model ${file.model} (${previous.file}, ${file.file}); the later file is used`);
      byName.set(c.name, { ...c, file: file.file });
    }
  }
  return out;
}

function criterionSummaries(scoresByModel: Map<string, Map<string, Scored>>, truth: DropTable): BenchCriterion[] {
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

function cellOf(
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
  const perModel = (metric: Metric): number[] => {
    const values: number[] = [];
    for (const list of byModel.values()) {
      const defined = list.map((r) => r[metric]).filter((v): v is number => v !== null);
      if (defined.length > 0) values.push(mean(defined));
    }
    return values;
  };
  const contributing = [...byModel].filter(([, list]) => list.some((r) => METRICS.some((m) => r[m] !== null)));
  const seconds = contributing.map(([sha]) => scoresByModel.get(sha)?.get(c.name)?.seconds).filter((s): s is number => s !== undefined);
  return {
    criterion: c.name,
    perturbation: column,
    targeted: c.perturbation !== null && perturbationFamily(c.perturbation) === perturbationFamily(column),
    models: contributing.length,
    layers: contributing.reduce((sum, [, list]) => sum + Math.max(...list.map((r) => r.layers)), 0),
    levels: sortColumns([...new Set(rows.map((r) => r.perturbation))]),
    seconds: seconds.length > 0 ? mean(seconds) : null,
    spearman: bootstrapMean(perModel('spearman'), bootstrap),
    kendall: bootstrapMean(perModel('kendall'), bootstrap),
    top_k: bootstrapMean(perModel('top_k'), bootstrap),
    ndcg: bootstrapMean(perModel('ndcg'), bootstrap),
  };
}

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

const FAMILY_ORDER: readonly string[] = Object.keys(PERTURBATION_KINDS);

/** Families in the order of PERTURBATION_KINDS (unknown ones after, by name); levels by value within a family. */
export function sortColumns(columns: readonly string[]): string[] {
  const rank = (c: string): number => {
    const i = FAMILY_ORDER.indexOf(perturbationFamily(c));
    return i < 0 ? FAMILY_ORDER.length : i;
  };
  const level = (c: string): number => {
    const colon = c.indexOf(':');
    return colon < 0 ? -Infinity : Number(c.slice(colon + 1));
  };
  return [...columns].sort((a, b) =>
    rank(a) - rank(b) || perturbationFamily(a).localeCompare(perturbationFamily(b)) || level(a) - level(b) || a.localeCompare(b));
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
