/**
 * ReportData: everything a report shows, read from one results dir (read-results.ts) and written
 * beside the HTML as report.json. Fractions are fractions of 1 (accuracy, drops, sparsity); the
 * renderers turn them into percentages and percentage points. Bump REPORT_DATA_VERSION on any change
 * that a reader of report.json must know about.
 */

export const REPORT_DATA_SCHEMA = 'safer-report';
export const REPORT_DATA_VERSION = 1;

export interface ReportData {
  schema: typeof REPORT_DATA_SCHEMA;
  version: typeof REPORT_DATA_VERSION;
  generated: { at: string; by: string };
  /** The results dir and which of its files were read (false: absent). */
  source: { dir: string; files: Record<ResultFile, boolean> };
  model: ModelSummary;
  /** From sweep.jsonl; null when absent. */
  sensitivity: Sensitivity | null;
  /** From scores.json (against the sweep when there is one); null when absent. */
  criteria: CriteriaSection | null;
  /** One entry per budget kind, with whatever of plan-<kind>.json and curve-<kind>.json exists. */
  budgets: BudgetSection[];
  /** From ber-curve.json; null when absent. */
  ber: BerPoint[] | null;
  decision: Decision;
  reproducibility: Reproducibility;
}

export const RESULT_FILES = [
  'sweep.jsonl', 'scores.json', 'assess.json', 'report.json',
  'plan-quant.json', 'plan-prune.json', 'plan-protect.json',
  'curve-quant.json', 'curve-prune.json', 'curve-protect.json',
  'ber-curve.json',
] as const;
export type ResultFile = (typeof RESULT_FILES)[number];

export interface ModelSummary {
  path: string | null;
  sha256: string | null;
  /** Weight layers in graph order. */
  layers: LayerInfo[];
  /** Sums over the weight layers; null when some layer's count is unknown. */
  params: number | null;
  flops: number | null;
  baseAccuracy: number | null;
  baseLoss: number | null;
  data: { description: string | null; images: number | null; sha256: string | null };
  /** Distinct seeds in the sweep. */
  seeds: number[];
  /** Largest drop that `safer assess` counted as harmless (fraction); null without report.json. */
  tolerance: number | null;
}

export interface LayerInfo {
  name: string;
  index: number;
  op: string | null;
  params: number | null;
  /** Per-sample FLOPs. */
  flops: number | null;
  /** `safer assess`'s verdict (null: uncertain, the interval spans the tolerance); null without assess.json. */
  verdict: { compress: boolean | null; protect: boolean | null } | null;
}

/**
 * How a drop's standard error was obtained:
 * - paired: sqrt(a + b − (a − b)²/N)/N from the right→wrong (a) and wrong→right (b) counts;
 * - changed-bound: the same with a + b replaced by the number of changed predictions, an upper bound
 *   (a prediction that turns right or wrong has changed), used while rows carry no a and b;
 * - seeds: the spread over seeds alone, std/√S (rows carry neither counts nor `unchanged`);
 * - none: one seed and nothing to bound the error with.
 * With S > 1 seeds, paired and changed-bound add the seed spread: se² = mean(se_i²) + std²/S.
 */
export type { UncertaintySource } from '../rows/uncertainty.js';
import type { UncertaintySource } from '../rows/uncertainty.js';

export interface DropCell {
  layer: string;
  perturbation: string;
  family: string;
  /** The number after the colon (ratio, bits, bit error rate, σ); null if none. */
  level: number | null;
  /** Mean accuracy drop over seeds (fraction). */
  drop: number;
  /** Per-seed drops, in seed order. */
  drops: number[];
  seeds: number;
  /** Sample standard deviation over seeds (0 for one seed). */
  std: number;
  /** Standard error of `drop`; null when unknown. */
  se: number | null;
  seSource: UncertaintySource;
  /** drop ± z·se at the report's confidence; null when se is. */
  interval: [number, number] | null;
  /** Mean KL divergence of the perturbed from the unperturbed softmax (null if a seed had none). */
  kl: number | null;
  /** Mean fraction of images whose top-1 prediction is unchanged. */
  unchanged: number | null;
  /** Images evaluated (fewest over seeds). */
  images: number;
}

export interface Sensitivity {
  /** Layer names in graph order, perturbations in bench column order (family, then level). */
  layers: string[];
  perturbations: string[];
  families: string[];
  cells: DropCell[];
  /** Confidence of the intervals (0.95). */
  confidence: number;
  /** Distinct uncertainty sources among the cells. */
  uncertainty: UncertaintySource[];
}

export interface CriterionSummary {
  name: string;
  id: string;
  title: string;
  family: string;
  perturbation: string | null;
  seconds: number;
  passes: { forward: number; backward: number } | null;
  scores: Record<string, number | null>;
  error: string | null;
}

/** How well the measured ranking of layers would repeat on new data, for one perturbation. */
export interface Reliability {
  perturbation: string;
  /** Test–retest Spearman ρ of the ranking of layers (benchmark/reliability.ts), 0..1; null when unknown. */
  value: number | null;
  /**
   * estimate (paired errors), lower-bound (some errors are upper bounds), upper-bound (seed spread
   * only, image noise left out), unknown.
   */
  kind: 'estimate' | 'lower-bound' | 'upper-bound' | 'unknown';
  /** Expected ρ of the true ranking against the measured one: about the best any criterion can reach against this truth. */
  ceiling: number | null;
}

export interface CriterionAgreement {
  criterion: string;
  perturbation: string;
  /** Spearman ρ between scores and measured drops over `layers` layers; null below 3 layers. */
  spearman: number | null;
  layers: number;
}

export interface RecommendedCriterion {
  /** Perturbation family of the sweep that the criterion is recommended for. */
  family: string;
  criterion: string;
  /** One point per layer and level of the family that has a score and a drop. */
  points: { layer: string; perturbation: string; score: number; drop: number }[];
}

export interface CriteriaSection {
  criteria: CriterionSummary[];
  /** Calibration images of the data-driven criteria. */
  calibration: number | null;
  /** Per family of the sweep that has a recommended criterion among the scores. */
  recommended: RecommendedCriterion[];
  /** Every criterion × perturbation of the sweep (empty without a sweep). */
  agreement: CriterionAgreement[];
  reliability: Reliability[];
}

export const BUDGET_KINDS = ['quant', 'prune', 'protect'] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

/** One evaluated point of a budget curve (curve-<kind>.json holds an array of them). */
export interface BudgetCurveRow {
  kind: BudgetKind;
  /** The budget asked for: average bits, global sparsity, or protection overhead (fraction). */
  budget: number;
  /** Allocation method or baseline (uniform, lamp, ...). */
  method: string;
  /** The budget measure the plan reached. */
  achieved: number;
  accuracy: number;
  interval: [number, number] | null;
}

/** plan-<kind>.json. */
export interface BudgetPlan {
  kind: BudgetKind;
  /** bits (quant), pruning ratio (prune), protected (protect), per layer. */
  layers: Record<string, number | boolean>;
  budget: Record<string, number>;
  achieved: Record<string, number>;
  accuracy: number;
  predicted: Record<string, number>;
  additivity: number | null;
  baselines: Record<string, number>;
  source: string;
  evaluations: number;
  /** The written model, relative to the results dir, if the plan names one. */
  model: string | null;
}

export interface BudgetSection {
  kind: BudgetKind;
  plan: BudgetPlan | null;
  curve: BudgetCurveRow[] | null;
}

/** One point of ber-curve.json: accuracy at a bit error rate, with or without the protection plan. */
export interface BerPoint {
  ber: number;
  protected: boolean;
  accuracy: number;
  interval: [number, number] | null;
  /** Fault-injection trials behind the mean, if known. */
  trials: number | null;
}

export interface DecisionRow {
  layer: string;
  params: number | null;
  /** From plan-quant.json (32 = left in float32). */
  bits: number | null;
  /** From plan-prune.json. */
  pruneRatio: number | null;
  /** From plan-protect.json, or assess's verdict. */
  protect: boolean | null;
  /** assess's verdict: every compression drop within tolerance. */
  compress: boolean | null;
}

export interface Decision {
  /** plans: at least one plan file; assess-verdict: report.json's per-layer verdict only. */
  source: 'plans' | 'assess-verdict' | 'none';
  rows: DecisionRow[];
  /** Plan files (relative to the results dir) and the models they wrote. */
  plans: { kind: BudgetKind; file: string; model: string | null }[];
  /** Commands to check the decision, ready to paste. */
  snippets: string[];
}

export interface Reproducibility {
  /** The command that produced the results, if recorded. */
  command: string | null;
  versions: { sweep: string[]; scores: string | null; report: string; node: string; vega: string; vegaLite: string };
  modelSha256: string | null;
  dataSha256: string | null;
  seeds: number[];
  /** Seconds spent producing the results (null when unknown). */
  seconds: { sweep: number | null; criteria: number | null };
}
