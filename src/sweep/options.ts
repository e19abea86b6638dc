/** What a sweep takes and gives back, and its defaults (written once: the CLI's help reads them from here). */
import type { PreparedModel } from '../model/prepare.js';
import type { PerturbationSpec } from '../perturb/index.js';
import type { LabeledBatches } from '../runtime/evaluate.js';
import type { AdaptiveOptions } from './adaptive.js';
import type { SeedRule } from './seed-rule.js';

export const SWEEP_DEFAULTS = {
  /** Seeds per stochastic perturbation. */
  seeds: 5,
  /** Bound on cached upstream activations, in MiB. */
  memoryMiB: 2048,
  /** Sessions (bundles of jobs of one layer) in flight at once. */
  jobs: 1,
} as const;

/** Evaluation data as the sweep needs it: batches, and a fingerprint that names the data in every row. */
export interface SweepData extends LabeledBatches {
  fingerprint(): Promise<string>;
}

export interface SweepOptions {
  prepared: PreparedModel;
  data: SweepData;
  perturbations: readonly PerturbationSpec[];
  /** Seeds per stochastic perturbation (default SWEEP_DEFAULTS.seeds). */
  seeds?: number;
  /** `--seeds auto`: seeds per (layer, stochastic perturbation) until its mean drop is known to ±precision (seed-rule.ts); replaces `seeds`. */
  seedRule?: SeedRule;
  /** Only these layers (weight initializer names); default all. */
  layers?: readonly string[];
  out: string;
  /** Images per onnxruntime run (default 250, fewer when a batch's largest activation would exceed 64 MiB: see cut/batch-size.ts). */
  batchSize?: number;
  /** Bound on cached upstream activations, in bytes (default SWEEP_DEFAULTS.memoryMiB MiB). */
  memoryBytes?: number;
  /** onnxruntime intra-op threads per job session (default: cores / jobs); base and frontier runs use all cores. */
  threads?: number;
  /**
   * Jobs in flight at once, each in its own session (default 1). onnxruntime-node runs a session
   * synchronously on the JavaScript thread, so more than one only interleaves jobs; it does not
   * run them in parallel.
   */
  jobs?: number;
  adaptive?: AdaptiveOptions;
  /** Exactly these jobs instead of layers × perturbations × seeds (perturbation texts must be among `perturbations`). */
  only?: readonly { layer: string; perturbation: string; seed: number }[];
  version: string;
  /** Called once the jobs are known: `total` rows in the plan, `done` of them already in the file. */
  onPlan?: (plan: { total: number; done: number }) => void;
  onProgress?: (progress: SweepProgress) => void;
  onNote?: (note: string) => void;
}

export interface SweepProgress {
  done: number;
  total: number;
  layer: string;
  perturbation: string;
  /** --seeds auto: the round (1, 2, ...); `total` counts this round's jobs. */
  round?: number;
}

/** Where a sweep's time went (seconds, summed over concurrent jobs). */
export interface SweepTiming {
  /** Unperturbed evaluation (base logits, and the first group's frontier values when they fit) and graph cuts. */
  base: number;
  /** Prefix runs computing the cached frontier values. */
  frontier: number;
  /** Computing perturbed weights (JavaScript). */
  perturb: number;
  /** Building downstream models and creating their sessions. */
  sessions: number;
  /** onnxruntime runs of the downstream parts. */
  runs: number;
  /** Accuracy, loss and KL from the logits (JavaScript). */
  metrics: number;
}

export interface SweepSummary {
  out: string;
  timing: SweepTiming;
  rowsWritten: number;
  rowsAlreadyThere: number;
  repairedBytes: number;
  baseAccuracy: number;
  baseLoss: number;
  seconds: number;
  /** Per stochastic perturbation: the seeds this run evaluated and how many of them left the weights unchanged (no run). */
  stochastic: StochasticSummary[];
}

export interface StochasticSummary {
  perturbation: string;
  /** Seeds evaluated by this run, over its layers. */
  evaluated: number;
  /** Of those, seeds whose perturbation left every weight as it was: their row is the unperturbed model's, exactly. */
  weightsUnchanged: number;
  /** --seeds auto: the fewest and most seeds a layer has in the file, and layers stopped at --cap with a wider interval. */
  seeds?: { min: number; max: number };
  capped?: number;
}
