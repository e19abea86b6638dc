/**
 * The ground-truth sweep: for every (layer, perturbation, seed), perturb that layer alone and
 * evaluate the model. Exact over the whole data set by default.
 *
 * The jobs run through the graph-cut engine (src/cut): a group of layers shares one prefix pass per
 * batch, and each job runs only the part of the graph from its layer on. Memory for cached frontier
 * values stays under `memoryBytes`: layers are grouped, and a layer whose frontier alone exceeds it
 * is processed in chunks of the data, its jobs continuing across chunks. The evaluation itself is
 * `SweepEvaluator`'s (evaluator.ts), which queue workers share; this file adds the plan, the resume
 * and the results file.
 */
import type { Layer } from '../layers/layer.js';
import { ResultsFile } from '../rows/results-file.js';
import { rowKey } from '../rows/row.js';
import { defaultThreads, type SessionOptions } from '../runtime/session.js';
import { SweepEvaluator } from './evaluator.js';
import { SWEEP_DEFAULTS, type SweepOptions, type SweepSummary, type SweepTiming } from './options.js';
import { explicitJobs, planJobs, selectLayers, type SweepJob } from './plan.js';
import { shuffledInMemory } from './shuffled.js';

/** Seed of the image order in adaptive mode (fixed, so adaptive runs are reproducible). */
const ADAPTIVE_ORDER_SEED = 0x5afe;

export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const started = performance.now();
  const { prepared } = options;
  const seeds = options.seeds ?? SWEEP_DEFAULTS.seeds;
  const memoryBytes = options.memoryBytes ?? SWEEP_DEFAULTS.memoryMiB * 2 ** 20;
  // Adaptive stopping needs images in random order, and checks after every (smaller) batch.
  const data = options.adaptive ? await shuffledInMemory(options.data, ADAPTIVE_ORDER_SEED, memoryBytes) : options.data;
  const jobsAtOnce = options.jobs ?? SWEEP_DEFAULTS.jobs;
  const session: SessionOptions = { threads: options.threads ?? Math.max(1, Math.floor(defaultThreads() / jobsAtOnce)) };
  const wholeMachine: SessionOptions = { threads: defaultThreads() };

  const layers = selectLayers(prepared.layers, options.layers, prepared.source);
  const identity = { model: prepared.source, model_sha256: prepared.sha256, data_sha256: await data.fingerprint(), version: options.version };
  const timing: SweepTiming = { base: 0, frontier: 0, perturb: 0, sessions: 0, runs: 0, metrics: 0 };
  const { file, done, repairedBytes, rowsFound } = ResultsFile.open(options.out, identity, options.onNote);
  if (repairedBytes > 0) options.onNote?.(`${options.out}: removed a half-written last line (${repairedBytes} bytes) left by an interrupted run`);
  try {
    const all = options.only ? explicitJobs(layers, options.perturbations, options.only) : planJobs(layers, options.perturbations, seeds);
    const pending = all.filter((j) => !done.has(rowKey({ layer: j.layer.name, perturbation: j.spec.text, seed: j.seed })));
    if (rowsFound > 0) options.onNote?.(`${options.out}: ${rowsFound} rows already there; ${pending.length} of ${all.length} to go`);
    options.onPlan?.({ total: all.length, done: all.length - pending.length });
    const summary = { out: options.out, timing, rowsWritten: 0, rowsAlreadyThere: rowsFound, repairedBytes, baseAccuracy: NaN, baseLoss: NaN, seconds: 0 };
    if (pending.length === 0) return { ...summary, seconds: (performance.now() - started) / 1000 };

    const evaluator = await SweepEvaluator.create(prepared, data, {
      layers: layersOf(pending),
      memoryBytes,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      session,
      prefix: wholeMachine,
      jobsAtOnce,
      ...(options.adaptive ? { adaptive: options.adaptive } : {}),
    });
    const { base } = evaluator;
    let finished = 0;
    try {
      await evaluator.evaluate(pending, (job, result) => {
        file.append(evaluator.row(job, result, identity));
        summary.rowsWritten++;
        finished++;
        options.onProgress?.({ done: finished, total: pending.length, layer: job.layer.name, perturbation: job.spec.text });
      });
    } finally {
      Object.assign(timing, evaluator.timing);
      evaluator.release();
    }
    return { ...summary, baseAccuracy: base.accuracy, baseLoss: base.loss, seconds: (performance.now() - started) / 1000 };
  } finally {
    file.close();
  }
}

/** The layers of `jobs`, each once, in the order they first appear (topological for planned jobs). */
function layersOf(jobs: readonly SweepJob[]): Layer[] {
  return [...new Set(jobs.map((j) => j.layer))];
}
