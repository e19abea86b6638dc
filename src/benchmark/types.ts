/** The types of the criteria benchmark table, and its defaults. */
import type { BootstrapOptions, Estimate } from './bootstrap.js';
import type { ForCheckRow, ForRecommendation } from './for-check.js';
import type { CurveFile, RegretRow } from './regret.js';
import { RELIABILITY_DEFAULTS, type ReliabilityKind } from './reliability.js';

export type GroupBy = 'family' | 'perturbation';

export interface BenchOptions {
  /** Columns: perturbation families (default) or every perturbation level apart. */
  by?: GroupBy;
  /** Fraction of layers in the top-k (default 0.2). */
  topKFraction?: number;
  /** Costs below this many seconds count as equal on the frontier (default 0.01: timer noise). */
  costFloor?: number;
  /** Cells (model × perturbation level) whose ranking of layers is less reliable are not judged on (default 0.8). */
  minReliability?: number;
  /** Budget curves with the oracle's and the criteria's plans (`safer budget curve --from rows --criterion ...`): budget regret. */
  curves?: readonly CurveFile[];
  bootstrap?: BootstrapOptions;
}

/** How the table is built unless told otherwise. */
export const BENCH_DEFAULTS = { by: 'family' as GroupBy, topKFraction: 0.2, costFloor: 0.01, minReliability: RELIABILITY_DEFAULTS.minReliability };

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
  /** Spearman ρ against the continuous truths: the mean loss increase and the mean KL divergence (null where a row lacks them). */
  spearman_loss: number | null;
  spearman_kl: number | null;
  /** The reliability of this cell's ranking of layers by accuracy drop, and its noise ceiling (null: unknown). */
  reliability: number | null;
  ceiling: number | null;
  /** reliability ≥ the table's min_reliability: the accuracy-drop metrics of this row count in the cells. */
  qualified: boolean;
}

/** One model × perturbation level of the ground truth: how well its drops rank the layers (benchmark/reliability.ts). */
export interface TruthReliability {
  model_sha256: string;
  model: string;
  perturbation: string;
  family: string;
  layers: number;
  /** Test–retest Spearman ρ of the ranking of layers, 0..1 (null: fewer than 3 layers or errors unknown). */
  reliability: number | null;
  /** Expected ρ of the true ranking against the measured one: what a perfect criterion reaches. */
  ceiling: number | null;
  /** τ²/V: the share of the drops' variance between layers that is not noise. */
  signal: number | null;
  kind: ReliabilityKind | null;
  qualified: boolean;
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
  /** Perturbation levels averaged within each model (qualified or not). */
  levels: string[];
  /** Model × level cells of the column whose reliability qualified them, over the models, and all of them. */
  cells: { qualified: number; total: number };
  /** Mean noise ceiling of the qualified cells (per model, then over models). */
  ceiling: Estimate | null;
  /** Mean cost (seconds) of the criterion on those models. */
  seconds: number | null;
  spearman: Estimate | null;
  kendall: Estimate | null;
  top_k: Estimate | null;
  ndcg: Estimate | null;
  /** ρ against the loss increase and the KL divergence, over every cell (continuous truths, not gated). */
  spearman_loss: Estimate | null;
  spearman_kl: Estimate | null;
  /** Budget regret of the criterion's plans for this column's kind (accuracy − the oracle plan's), if curves were given. */
  regret: Estimate | null;
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
  /** Cells below this reliability are not judged on (the accuracy-drop metrics leave them out). */
  min_reliability: number;
  /** Every model × perturbation level of the truth, with its reliability. */
  reliability: TruthReliability[];
  /** Budget regret per kind and criterion (and of the default plan), from the given curves. */
  regret: RegretRow[];
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
  /** Results of `safer score --for` on the cells reliable enough to judge by (for-check.ts); empty without such results. */
  for_check: ForCheckRow[];
  /** Per column with checked cells, the criterion `score --for` should compute (for-check.ts). */
  for_recommendations: ForRecommendation[];
  for_check_rule: { min_reliability: number; tolerance: number };
  notes: string[];
}


/** The criterion recommended for one column (recommend.ts). */
export interface Recommendation {
  /** Column key: a perturbation family (or one perturbation level). */
  perturbation: string;
  criterion: string;
  seconds: number;
  spearman: Estimate;
  /** The criterion with the highest mean ρ in the column (may be the recommended one). */
  best: { criterion: string; seconds: number; spearman: Estimate };
  /** Criteria that competed: defined ρ and cost, scored on every model of the column. */
  candidates: number;
  /** The recommended criterion's budget regret for this column, if measured. */
  regret: Estimate | null;
  /**
   * What the pick was judged on: the qualified cells, when they come from at least MIN_QUALIFIED_MODELS
   * models; else every cell of the column, where the truth is mostly noise: then `supported` is false.
   */
  basis: 'qualified' | 'every-cell';
  supported: boolean;
  /** Qualified cells of the column and the models they come from. */
  evidence: { cells: number; total: number; models: number };
}
