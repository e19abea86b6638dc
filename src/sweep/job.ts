/** Sweep jobs: a layer perturbed once per job, evaluated through the graph-cut engine on cached frontier values, several jobs of a layer in one session. */
import type { CutEngine, CutRun } from '../cut/engine.js';
import type { FrontierBatch } from '../cut/frontier.js';
import { perturbedValues, type PerturbedValues } from '../layers/perturbed-values.js';
import { createRng } from '../perturb/index.js';
import { accumulate, emptyTotals, finiteOrNull, type ClassificationTotals } from '../runtime/metrics.js';
import { ROW_FORMAT, type SweepRow } from '../rows/row.js';
import { adaptiveBound, addPaired, emptyPaired, type AdaptiveOptions, type PairedState } from './adaptive.js';
import type { Base } from './base.js';
import type { SweepTiming } from './options.js';
import { rngSeedFor, type SweepJob } from './plan.js';

export interface JobContext {
  engine: CutEngine;
  base: Base;
  adaptive: AdaptiveOptions | undefined;
  /** Images in the data set, and the number of adaptive checks (batches) over it. */
  count: number;
  checks: number;
  timing: SweepTiming;
}

export interface JobResult {
  totals: ClassificationTotals;
  seconds: number;
  /** The perturbation left every bit of the weights as it was (a low bit-flip rate that drew no flip): nothing was run. */
  weightsUnchanged: boolean;
  halfWidth?: number;
  stoppedEarly?: boolean;
  /** Adaptive mode: base_correct − perturbed_correct over the images used. */
  paired?: PairedState;
}

/** A job's changed weights, and whether they are its layer's weights bit for bit. */
function perturbJob(job: SweepJob, engine: CutEngine): PerturbedValues {
  const { layer, spec, seed } = job;
  return perturbedValues(engine.prepared.model, layer, spec.perturbation, createRng(rngSeedFor(layer.name, spec.text, seed)));
}

/** What one job accumulates over the batches of a chunk. */
interface JobState {
  totals: ClassificationTotals;
  paired: PairedState;
  halfWidth: number | undefined;
  stoppedEarly: boolean;
  /** Done with this chunk: it stopped early now or before. */
  finished: boolean;
}

/**
 * Evaluates a bundle of jobs of one layer (at most `engine.bundleSize(layer)`) on one chunk of the data,
 * continuing `previous` (each job's result on the earlier chunks) where given. The jobs whose weights
 * changed run together in one session (one copy of the downstream part each, cut/replicate.ts); a job
 * whose weights did not change reads the unperturbed logits. Each job's `seconds` is the bundle's time
 * shared equally among its jobs. In adaptive mode a job stops on its own rule, and the jobs that go on
 * continue in a new session without the stopped ones' copies.
 */
export async function evaluateBundle(jobs: readonly SweepJob[], frontier: readonly FrontierBatch[], context: JobContext, previous: readonly (JobResult | undefined)[]): Promise<JobResult[]> {
  const started = performance.now();
  const { timing, engine, base, adaptive } = context;
  let mark = started;
  const lap = (key: keyof SweepTiming): void => {
    const now = performance.now();
    timing[key] += (now - mark) / 1000;
    mark = now;
  };
  const layer = jobs[0]?.layer;
  if (!layer) return [];
  const perturbed = jobs.map((job, i) => (previous[i]?.stoppedEarly ? undefined : perturbJob(job, engine)));
  lap('perturb');
  const states: JobState[] = jobs.map((_, i) => {
    const before = previous[i];
    return {
      totals: before ? { ...before.totals } : emptyTotals(),
      paired: before?.paired ? { ...before.paired } : emptyPaired(),
      halfWidth: undefined,
      stoppedEarly: before?.stoppedEarly ?? false,
      finished: before?.stoppedEarly ?? false,
    };
  });
  // The jobs in the session (indices into `jobs`): those whose weights changed and that still go on. When
  // an adaptive job stops, the others go on in a session of their own (the same copies, so the same logits).
  let running: number[] = [];
  let run: CutRun | undefined;
  const reopen = async (): Promise<void> => {
    await run?.release();
    run = undefined;
    running = perturbed.flatMap((p, i) => (p && !p.unchanged && !(states[i] as JobState).finished ? [i] : []));
    if (running.length > 0) run = await engine.open(layer, running.map((i) => (perturbed[i] as PerturbedValues).values), `${layer.name} ${running.map((i) => (jobs[i] as SweepJob).spec.text).join(', ')}`);
  };
  try {
    await reopen();
    lap('sessions');
    for (const batch of frontier) {
      if (states.every((s) => s.finished)) break;
      if (running.some((i) => (states[i] as JobState).finished)) {
        await reopen();
        lap('sessions');
      }
      const unperturbed = base.logits.subarray(batch.start * base.classes, (batch.start + batch.count) * base.classes);
      let outputs: Float32Array[] = [];
      if (run) {
        outputs = await run.logits(batch);
        lap('runs');
      }
      states.forEach((state, i) => {
        if (state.finished) return;
        const slot = running.indexOf(i);
        const logits = slot >= 0 ? (outputs[slot] as Float32Array) : unperturbed;
        accumulate(state.totals, logits, batch.labels, base.classes, base.reference, batch.start);
        if (adaptive) {
          addPaired(state.paired, logits, batch.labels, base.classes, base.correct, batch.start);
          const bound = adaptiveBound(adaptive, state.paired, context.checks, context.count);
          state.halfWidth = bound.halfWidth;
          if (bound.stop) {
            state.stoppedEarly = state.totals.count < context.count;
            state.finished = true;
          }
        }
      });
      lap('metrics');
    }
  } finally {
    await run?.release();
  }
  const share = (performance.now() - started) / 1000 / jobs.length;
  return jobs.map((_, i) => {
    const before = previous[i];
    if (before?.stoppedEarly) return before;
    const state = states[i] as JobState;
    const result: JobResult = { totals: state.totals, seconds: (before?.seconds ?? 0) + share, weightsUnchanged: (perturbed[i] as PerturbedValues).unchanged };
    if (adaptive) {
      result.paired = state.paired;
      result.stoppedEarly = state.stoppedEarly;
      // Without an early stop every image was used: the result is exact.
      result.halfWidth = state.stoppedEarly ? (state.halfWidth ?? Infinity) : 0;
    }
    return result;
  });
}

/** The row of a finished job. */
export function makeRow(
  job: SweepJob,
  result: JobResult,
  base: Base,
  identity: { model: string; model_sha256: string; data_sha256: string; version: string },
  adaptive: AdaptiveOptions | undefined,
): SweepRow {
  const t = result.totals;
  // Adaptive rows estimate the accuracy from the paired drop (much lower variance than t.correct / t.count).
  const accuracy = result.paired ? base.accuracy - result.paired.sum / Math.max(1, result.paired.n) : t.correct / t.count;
  const row: SweepRow = {
    layer: job.layer.name,
    layer_index: job.layer.index,
    perturbation: job.spec.text,
    seed: job.seed,
    accuracy,
    loss: finiteOrNull(t.lossSum / t.count),
    kl: finiteOrNull(t.klSum / t.count),
    unchanged: t.unchanged / t.count,
    count: t.count,
    correct: t.correct,
    base_accuracy: base.accuracy,
    base_loss: base.loss,
    drop: base.accuracy - accuracy,
    model: identity.model,
    model_sha256: identity.model_sha256,
    data_sha256: identity.data_sha256,
    version: identity.version,
    seconds: Math.round(result.seconds * 1000) / 1000,
    format: ROW_FORMAT,
    right_to_wrong: t.rightToWrong,
    wrong_to_right: t.wrongToRight,
  };
  if (adaptive && result.halfWidth !== undefined) {
    row.adaptive = { precision: adaptive.precision, confidence: adaptive.confidence, half_width: result.halfWidth, stopped_early: result.stoppedEarly ?? false };
  }
  return row;
}
