/**
 * The ground-truth sweep: for every (layer, perturbation, seed), perturb that layer alone and
 * evaluate the model. Exact over the whole data set by default.
 *
 * The jobs run through the graph-cut engine (src/cut): a group of layers shares one prefix pass per
 * batch, and each job runs only the part of the graph from its layer on. Memory for cached frontier
 * values stays under `memoryBytes`: layers are grouped, and a layer whose frontier alone exceeds it
 * is processed in chunks of the data, its jobs continuing across chunks.
 */
import { CutEngine } from '../cut/engine.js';
import type { FrontierBatch } from '../cut/frontier.js';
import type { LayerGroup } from '../cut/groups.js';
import type { Layer } from '../layers/layer.js';
import { ResultsFile } from '../rows/results-file.js';
import { rowKey } from '../rows/row.js';
import { defaultThreads, type SessionOptions } from '../runtime/session.js';
import { evaluateBase } from './base.js';
import { evaluateJob, makeRow, type JobContext, type JobResult } from './job.js';
import { SWEEP_DEFAULTS, type SweepOptions, type SweepSummary, type SweepTiming } from './options.js';
import { explicitJobs, planJobs, selectLayers, type SweepJob } from './plan.js';
import { inOrderPool } from './pool.js';
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

    const baseStarted = performance.now();
    const byLayer = groupByLayer(pending);
    const engine = CutEngine.create(prepared, [...byLayer.keys()], {
      count: data.count,
      memoryBytes,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      session,
      prefix: wholeMachine,
    });
    // The first group's frontier values come out of the base runs (one pass less) when they fit in one chunk.
    const first = engine.groups[0];
    const fetchFirst = first && engine.chunks(first).length === 1 ? first : undefined;
    const { base, frontier } = await evaluateBase(prepared, data, engine, wholeMachine, fetchFirst);
    timing.base += (performance.now() - baseStarted) / 1000;
    const context: JobContext = { engine, base, adaptive: options.adaptive, count: data.count, checks: Math.ceil(data.count / engine.batchSize), timing };
    let finished = 0;
    const write = (job: SweepJob, result: JobResult): void => {
      file.append(makeRow(job, result, base, identity, options.adaptive));
      summary.rowsWritten++;
      finished++;
      options.onProgress?.({ done: finished, total: pending.length, layer: job.layer.name, perturbation: job.spec.text });
    };
    for (const group of engine.groups) {
      const cached = group === fetchFirst ? frontier : undefined;
      await runGroup(group, byLayer, context, data, jobsAtOnce, write, cached);
    }
    return { ...summary, baseAccuracy: base.accuracy, baseLoss: base.loss, seconds: (performance.now() - started) / 1000 };
  } finally {
    file.close();
  }
}

function groupByLayer(jobs: readonly SweepJob[]): Map<Layer, SweepJob[]> {
  const map = new Map<Layer, SweepJob[]>();
  for (const job of jobs) {
    const list = map.get(job.layer);
    if (list) list.push(job);
    else map.set(job.layer, [job]);
  }
  return map;
}

/** Runs a group's jobs chunk by chunk; `cached` is the group's frontier over the whole data, if already computed. */
async function runGroup(
  group: LayerGroup,
  byLayer: ReadonlyMap<Layer, SweepJob[]>,
  context: JobContext,
  data: SweepOptions['data'],
  jobsAtOnce: number,
  write: (job: SweepJob, result: JobResult) => void,
  cached?: readonly FrontierBatch[],
): Promise<void> {
  const { engine, timing } = context;
  const chunks = engine.chunks(group);
  const partial = new Map<SweepJob, JobResult>();
  for (const range of chunks) {
    const frontierStarted = performance.now();
    const frontier = cached ?? (await engine.frontier(group, data, range));
    timing.frontier += (performance.now() - frontierStarted) / 1000;
    const last = range === chunks[chunks.length - 1];
    for (const layer of group.layers) {
      const jobs = byLayer.get(layer) ?? [];
      await inOrderPool(jobs, jobsAtOnce, (job) => evaluateJob(job, frontier, context, partial.get(job)), (job, result) => {
        if (last) write(job, result);
        else partial.set(job, result);
      });
    }
  }
}
