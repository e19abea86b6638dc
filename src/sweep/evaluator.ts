/**
 * Evaluating sweep jobs for one (prepared model, data): the part of a sweep that the local run and a
 * queue worker share. A `SweepEvaluator` holds what every job of the pair reuses: the graph-cut engine
 * over the sweep's layers, the unperturbed base run, and the cached frontier values of the last group
 * of layers it served. `evaluate` takes any set of jobs of those layers, in any order, and reports each
 * finished job; jobs of one group share one prefix pass.
 *
 * The engine is built over the sweep's layers (not the jobs at hand), so a worker that evaluates one job
 * groups layers and computes frontier values exactly as a single-process sweep of the same layers does.
 * Jobs of one layer run in bundles, one session each (job.ts, cut/replicate.ts): a worker's bundle is
 * the jobs it holds of a layer, and every job's logits are the same bit for bit in any bundle.
 */
import { CutEngine } from '../cut/engine.js';
import type { FrontierBatch } from '../cut/frontier.js';
import type { LayerGroup } from '../cut/groups.js';
import type { Layer } from '../layers/layer.js';
import type { PreparedModel } from '../model/prepare.js';
import type { SweepRow } from '../rows/row.js';
import { defaultThreads, type SessionOptions } from '../runtime/session.js';
import type { AdaptiveOptions } from './adaptive.js';
import { evaluateBase, type Base } from './base.js';
import { evaluateBundle, makeRow, type JobContext, type JobResult } from './job.js';
import { SWEEP_DEFAULTS, type SweepData, type SweepTiming } from './options.js';
import type { SweepJob } from './plan.js';
import { inOrderPool } from './pool.js';

export interface SweepEvaluatorOptions {
  /**
   * The sweep's layers, in topological order: they set the engine's layer groups and data chunks, and so
   * which frontier values are computed together. Jobs may name only these layers.
   */
  layers: readonly Layer[];
  /** Bound on cached frontier values, in bytes (default SWEEP_DEFAULTS.memoryMiB MiB). */
  memoryBytes?: number;
  /** Images per onnxruntime run (default: the engine's). */
  batchSize?: number;
  /** Options of the job sessions (default: all cores / jobsAtOnce threads). */
  session?: SessionOptions;
  /** Options of the base and prefix runs (default: all cores). */
  prefix?: SessionOptions;
  /** Bundles of jobs (engine.bundleSize each, one session per bundle) in flight at once, interleaved on one thread (default 1). */
  jobsAtOnce?: number;
  /** Adaptive stopping; the data must then be in random order (runSweep shuffles it). */
  adaptive?: AdaptiveOptions;
}

/** `jobs` in consecutive bundles of at most `size`, in order. */
function inBundles(jobs: readonly SweepJob[], size: number): SweepJob[][] {
  const bundles: SweepJob[][] = [];
  for (let i = 0; i < jobs.length; i += size) bundles.push(jobs.slice(i, i + size));
  return bundles;
}

/** What names a row besides its job: the model path as the sweep was given it, both sha256s, safer's version. */
export interface SweepIdentity {
  model: string;
  model_sha256: string;
  data_sha256: string;
  version: string;
}

export class SweepEvaluator {
  /** Where evaluation time went, summed over jobs (base and frontier runs included). */
  readonly timing: SweepTiming = { base: 0, frontier: 0, perturb: 0, sessions: 0, runs: 0, metrics: 0 };
  /** The frontier values of the group served last (only a group whose values fit in one chunk is kept). */
  private cached: { group: LayerGroup; frontier: readonly FrontierBatch[] } | undefined;

  private constructor(
    readonly prepared: PreparedModel,
    readonly data: SweepData,
    readonly engine: CutEngine,
    /** The unperturbed model's logits, correctness, accuracy and loss over the data. */
    readonly base: Base,
    /** The group whose frontier values come out of the base runs (one pass less), if any. */
    private readonly fetchedGroup: LayerGroup | undefined,
    private readonly jobsAtOnce: number,
    private readonly adaptive: AdaptiveOptions | undefined,
    private readonly prefixSession: SessionOptions,
  ) {}

  /** Builds the engine over `options.layers` and runs the unperturbed model once. */
  static async create(prepared: PreparedModel, data: SweepData, options: SweepEvaluatorOptions): Promise<SweepEvaluator> {
    const started = performance.now();
    const jobsAtOnce = options.jobsAtOnce ?? SWEEP_DEFAULTS.jobs;
    const session = options.session ?? { threads: Math.max(1, Math.floor(defaultThreads() / jobsAtOnce)) };
    const prefix = options.prefix ?? { threads: defaultThreads() };
    const engine = CutEngine.create(prepared, options.layers, {
      count: data.count,
      memoryBytes: options.memoryBytes ?? SWEEP_DEFAULTS.memoryMiB * 2 ** 20,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      session,
      prefix,
      // onnxruntime's blocked convolution layout (which the padded channels and blocked frontier reach) exists on x86-64 only.
      blockedLayout: process.arch === 'x64',
    });
    // The first group's frontier values come out of the base runs (one pass less) when they fit in one chunk.
    const first = engine.groups[0];
    const fetchedGroup = first && engine.chunks(first).length === 1 ? first : undefined;
    const { base, frontier } = await evaluateBase(prepared, data, engine, prefix, fetchedGroup);
    const evaluator = new SweepEvaluator(prepared, data, engine, base, fetchedGroup, jobsAtOnce, options.adaptive, prefix);
    if (fetchedGroup) evaluator.cached = { group: fetchedGroup, frontier };
    evaluator.timing.base += (performance.now() - started) / 1000;
    return evaluator;
  }

  /**
   * Evaluates `jobs` (of this evaluator's layers) and calls `done` once per job as it finishes: group by
   * group in the engine's order, layer by layer within a group, and in the given order within a layer.
   * A layer whose frontier exceeds the memory bound runs chunk by chunk, its jobs continuing across chunks.
   */
  async evaluate(jobs: readonly SweepJob[], done: (job: SweepJob, result: JobResult) => void): Promise<void> {
    const byLayer = new Map<Layer, SweepJob[]>();
    for (const job of jobs) {
      const list = byLayer.get(job.layer);
      if (list) list.push(job);
      else byLayer.set(job.layer, [job]);
    }
    for (const layer of byLayer.keys()) this.engine.groupOf(layer); // an unknown layer fails here, before any work
    const context: JobContext = {
      engine: this.engine,
      base: this.base,
      adaptive: this.adaptive,
      count: this.data.count,
      checks: Math.ceil(this.data.count / this.engine.batchSize),
      timing: this.timing,
    };
    for (const group of this.engine.groups) {
      if (!group.layers.some((l) => byLayer.has(l))) continue;
      const chunks = this.engine.chunks(group);
      const partial = new Map<SweepJob, JobResult>();
      for (const range of chunks) {
        const frontier = await this.frontier(group, range, chunks.length === 1);
        const last = range === chunks[chunks.length - 1];
        for (const layer of group.layers) {
          const bundles = inBundles(byLayer.get(layer) ?? [], this.engine.bundleSize(layer));
          const work = (bundle: readonly SweepJob[]) => evaluateBundle(bundle, frontier, context, bundle.map((job) => partial.get(job)));
          await inOrderPool(bundles, this.jobsAtOnce, work, (bundle, results) => {
            bundle.forEach((job, i) => {
              const result = results[i] as JobResult;
              if (last) done(job, result);
              else partial.set(job, result);
            });
          });
        }
      }
    }
  }

  /** The row of a finished job. */
  row(job: SweepJob, result: JobResult, identity: SweepIdentity): SweepRow {
    return makeRow(job, result, this.base, identity, this.adaptive);
  }

  /** Drops the cached frontier values (the evaluator stays usable: they are computed again when needed). */
  release(): void {
    this.cached = undefined;
  }

  /** A group's frontier values over `range`: the cached ones, or computed the way a sweep computes them. */
  private async frontier(group: LayerGroup, range: { start: number; end: number }, keep: boolean): Promise<readonly FrontierBatch[]> {
    if (this.cached?.group === group) return this.cached.frontier;
    this.cached = undefined; // before computing the next group's values: only one group's are held at a time
    const started = performance.now();
    let frontier: readonly FrontierBatch[];
    if (group === this.fetchedGroup) {
      // Fetched again in a run of the whole model, as the first time, so that every job sees the same values.
      frontier = (await evaluateBase(this.prepared, this.data, this.engine, this.prefixSession, group)).frontier;
    } else {
      frontier = await this.engine.frontier(group, this.data, range);
    }
    this.timing.frontier += (performance.now() - started) / 1000;
    if (keep) this.cached = { group, frontier };
    return frontier;
  }
}
