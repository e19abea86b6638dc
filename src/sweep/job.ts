/** One sweep job: a layer perturbed once, evaluated through the graph-cut engine on cached frontier values. */
import type { CutEngine, CutRun } from '../cut/engine.js';
import type { FrontierBatch } from '../cut/frontier.js';
import { applyPerturbation, createRng } from '../perturb/index.js';
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

function sameBits(a: Float32Array, b: Float32Array | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Evaluates one job on one chunk of the data, continuing `previous` (the earlier chunks' result) if given. */
export async function evaluateJob(job: SweepJob, frontier: readonly FrontierBatch[], context: JobContext, previous?: JobResult): Promise<JobResult> {
  if (previous?.stoppedEarly) return previous;
  const started = performance.now();
  const { timing, engine, base, adaptive } = context;
  let mark = started;
  const lap = (key: keyof SweepTiming): void => {
    const now = performance.now();
    timing[key] += (now - mark) / 1000;
    mark = now;
  };
  const { layer, spec, seed } = job;
  const weights = engine.prepared.model.graph.initializers;
  const weight = weights.get(layer.name)?.data as Float32Array;
  const bias = layer.bias ? (weights.get(layer.bias)?.data as Float32Array) : undefined;
  const perturbed = applyPerturbation({ weight, shape: layer.shape, channelAxis: layer.channelAxis, bias }, spec.perturbation, createRng(rngSeedFor(layer.name, spec.text, seed)));
  const values = new Map<string, Float32Array>([[layer.name, perturbed.weight]]);
  if (perturbed.bias && layer.bias) values.set(layer.bias, perturbed.bias);
  lap('perturb');
  // A perturbation that leaves every bit of the weights as it was (a low bit-flip rate that drew no
  // flip, say) cannot change the outputs: the unperturbed logits are the exact answer.
  const unchanged = sameBits(perturbed.weight, weight) && (!perturbed.bias || sameBits(perturbed.bias, bias));
  const run: CutRun | undefined = unchanged ? undefined : await engine.open(layer, values, `${layer.name} ${spec.text}`);
  lap('sessions');
  const totals = previous ? { ...previous.totals } : emptyTotals();
  const paired = previous?.paired ? { ...previous.paired } : emptyPaired();
  let halfWidth: number | undefined;
  let stoppedEarly = false;
  try {
    for (const batch of frontier) {
      let logits: Float32Array;
      if (run) {
        mark = performance.now();
        logits = await run.logits(batch);
        lap('runs');
      } else {
        logits = base.logits.subarray(batch.start * base.classes, (batch.start + batch.count) * base.classes);
      }
      accumulate(totals, logits, batch.labels, base.classes, base.logits, batch.start * base.classes, base.correct);
      if (adaptive) {
        addPaired(paired, logits, batch.labels, base.classes, base.correct, batch.start);
        const bound = adaptiveBound(adaptive, paired, context.checks);
        halfWidth = bound.halfWidth;
        if (bound.stop) {
          stoppedEarly = totals.count < context.count;
          lap('metrics');
          break;
        }
      }
      lap('metrics');
    }
  } finally {
    await run?.release();
  }
  const result: JobResult = { totals, seconds: (previous?.seconds ?? 0) + (performance.now() - started) / 1000, weightsUnchanged: unchanged };
  if (adaptive) {
    result.paired = paired;
    result.stoppedEarly = stoppedEarly;
    // Without an early stop every image was used: the result is exact.
    result.halfWidth = stoppedEarly ? (halfWidth ?? Infinity) : 0;
  }
  return result;
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
