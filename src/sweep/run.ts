/**
 * The ground-truth sweep: for every (layer, perturbation, seed), perturb that
 * layer alone and evaluate the model. Exact over the whole data set by default.
 *
 * Speed comes from the graph cut (cut.ts): the upstream part of the graph is
 * run once per batch for a group of layers (frontier.ts), and each job runs
 * only the downstream part, in a session with the perturbed weight baked in
 * as a constant (onnxruntime then pre-packs it; feeding weights as inputs is
 * about 4× slower, see docs/performance.md). Memory for cached frontier values
 * stays under `memoryBytes`: layers are grouped, and a layer whose frontier
 * alone exceeds it is processed in chunks of the data.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OptionError } from '../errors.js';
import { requireLayers } from '../layers/discover.js';
import type { Layer } from '../layers/layer.js';
import { withOwnBiases } from '../layers/own-biases.js';
import { withInitializerValues } from '../onnx/edit.js';
import type { Model } from '../onnx/ir.js';
import { applyPerturbation, createRng, type PerturbationSpec } from '../perturb/index.js';
import { checkSampleShape, classifierIO } from '../runtime/classifier.js';
import { Evaluator, type LabeledBatches } from '../runtime/evaluate.js';
import { fixedBatchError, freeBatchAxis } from '../model/free-batch.js';
import { accumulate, emptyTotals, finiteOrNull, type ClassificationTotals } from '../runtime/metrics.js';
import { probeShapes } from '../model/probe.js';
import { defaultThreads, makeTensor, OrtRunner, type OrtTensor, type SessionOptions } from '../runtime/session.js';
import { defaultBatchSize } from '../cut/batch-size.js';
import { adaptiveBound, addPaired, emptyPaired, type AdaptiveOptions, type PairedState } from './adaptive.js';
import { cutLayers, type DownstreamCut, type ProbedShapes } from '../cut/cut.js';
import { groupLayers, type LayerGroup } from '../cut/groups.js';
import { computeFrontier, type FrontierBatch } from '../cut/frontier.js';
import { planJobs, rngSeedFor, rowKey, type SweepJob } from './plan.js';
import { ResultsFile } from './results-file.js';
import { shuffledInMemory } from './shuffled.js';

/** Seed of the image order in adaptive mode (fixed, so adaptive runs are reproducible). */
const ADAPTIVE_ORDER_SEED = 0x5afe;

export interface SweepData extends LabeledBatches {
  fingerprint(): Promise<string>;
}

export interface SweepOptions {
  model: Model;
  /** Path of the model file (hashed into every row). */
  modelPath: string;
  data: SweepData;
  perturbations: readonly PerturbationSpec[];
  /** Seeds per stochastic perturbation (default 5). */
  seeds?: number;
  /** Only these layers (weight initializer names); default all. */
  layers?: readonly string[];
  out: string;
  /** Images per onnxruntime run (default 250, fewer when a batch's largest activation would exceed 64 MiB: see batch-size.ts). */
  batchSize?: number;
  /** Bound on cached upstream activations, in bytes (default 2 GiB). */
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
  onProgress?: (progress: SweepProgress) => void;
  onNote?: (note: string) => void;
}

export interface SweepProgress {
  done: number;
  total: number;
  layer: string;
  perturbation: string;
}

/** Where a sweep's time went (seconds, summed over concurrent jobs). */
export interface SweepTiming {
  /** Unperturbed evaluation (base logits, and the first group's frontier values when they fit), graph cuts and shape probes. */
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
}

export interface SweepRow {
  layer: string;
  layer_index: number;
  perturbation: string;
  seed: number;
  accuracy: number;
  loss: number | null;
  kl: number | null;
  unchanged: number;
  count: number;
  correct: number;
  base_accuracy: number;
  base_loss: number;
  drop: number;
  model: string;
  model_sha256: string;
  data_sha256: string;
  version: string;
  seconds: number;
  adaptive?: { precision: number; confidence: number; half_width: number; stopped_early: boolean };
}

/** Base run of the unperturbed model: logits for KL and agreement, accuracy and loss. */
interface Base {
  logits: Float32Array;
  correct: Uint8Array;
  accuracy: number;
  loss: number;
  classes: number;
}

export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const started = performance.now();
  // A fixed batch size the graph does not depend on is lifted; one it depends on is kept (1 only).
  // A bias shared by several layers (merged by the exporter) is copied, so that perturbing one layer changes only it.
  const model = withOwnBiases((await freeBatchAxis(options.model, options.data.sampleShape, options.modelPath)).model, options.modelPath);
  const seeds = options.seeds ?? 5;
  const memoryBytes = options.memoryBytes ?? 2 * 1024 ** 3;
  // Adaptive stopping needs images in random order, and checks after every (smaller) batch.
  const data = options.adaptive ? await shuffledInMemory(options.data, ADAPTIVE_ORDER_SEED, memoryBytes) : options.data;
  const io = classifierIO(model, options.modelPath);
  const fixedBatch = checkSampleShape(io.input, data.sampleShape, data.description, options.modelPath);
  if (fixedBatch !== undefined && fixedBatch !== 1) throw fixedBatchError(options.modelPath, fixedBatch);
  const shapes1 = await probeShapes(model, data.sampleShape, 1, options.modelPath);
  const batchSize = fixedBatch ?? options.batchSize ?? defaultBatchSize(shapes1);
  const jobsAtOnce = options.jobs ?? 1;
  const session: SessionOptions = { threads: options.threads ?? Math.max(1, Math.floor(defaultThreads() / jobsAtOnce)) };
  const wholeMachine: SessionOptions = { threads: defaultThreads() };

  const layers = selectLayers(requireLayers(model, shapes1, options.modelPath), options.layers, options.modelPath);
  const identity = {
    model_sha256: createHash('sha256').update(readFileSync(options.modelPath)).digest('hex'),
    data_sha256: await data.fingerprint(),
  };
  const timing: SweepTiming = { base: 0, frontier: 0, perturb: 0, sessions: 0, runs: 0, metrics: 0 };
  const { file, done, repairedBytes, rowsFound } = ResultsFile.open(options.out, identity, rowKey);
  if (repairedBytes > 0) options.onNote?.(`${options.out}: removed a half-written last line (${repairedBytes} bytes) left by an interrupted run`);
  try {
    const all = options.only ? explicitJobs(layers, options.perturbations, options.only) : planJobs(layers, options.perturbations, seeds);
    const pending = all.filter((j) => !done.has(rowKey({ layer: j.layer.name, perturbation: j.spec.text, seed: j.seed })));
    if (rowsFound > 0) options.onNote?.(`${options.out}: ${rowsFound} rows already there; ${pending.length} of ${all.length} to go`);
    const summary = { out: options.out, timing, rowsWritten: 0, rowsAlreadyThere: rowsFound, repairedBytes, baseAccuracy: NaN, baseLoss: NaN, seconds: 0 };
    if (pending.length === 0) return { ...summary, seconds: (performance.now() - started) / 1000 };

    const baseStarted = performance.now();
    const probed: ProbedShapes = { batch1: shapes1, batch2: fixedBatch ? shapes1 : await probeShapes(model, data.sampleShape, 2, options.modelPath), input: io.input };
    const byLayer = groupByLayer(pending);
    const cuts = cutLayers(model, [...byLayer.keys()], io.logits, probed);
    const inputBytes = 4 * data.sampleShape.reduce((a, b) => a * b, 1);
    const groups = groupLayers([...byLayer.keys()], cuts, shapes1, inputBytes, data.count, memoryBytes);
    // The first group's frontier values come out of the base runs (one pass less) when they fit in one chunk.
    const first = groups[0];
    const fetchFirst = first && chunkRanges(first, batchSize, data.count, memoryBytes).length === 1 ? first.values : [];
    const { base, frontier } = await evaluateBase(model, options.modelPath, data, batchSize, wholeMachine, fetchFirst, io.input.name);
    timing.base += (performance.now() - baseStarted) / 1000;
    const context: JobContext = { io, base, session, wholeMachine, batchSize, adaptive: options.adaptive, count: data.count, checks: Math.ceil(data.count / batchSize), timing };
    let finished = 0;
    const write = (job: SweepJob, totals: JobResult): void => {
      file.append(makeRow(job, totals, base, options, identity));
      summary.rowsWritten++;
      finished++;
      options.onProgress?.({ done: finished, total: pending.length, layer: job.layer.name, perturbation: job.spec.text });
    };
    for (const group of groups) {
      const cached = group === first && fetchFirst.length > 0 ? frontier : undefined;
      await runGroup(group, byLayer, cuts, context, data, model, io.input.name, memoryBytes, jobsAtOnce, write, cached);
    }
    return { ...summary, baseAccuracy: base.accuracy, baseLoss: base.loss, seconds: (performance.now() - started) / 1000 };
  } finally {
    file.close();
  }
}

function sameBits(a: Float32Array, b: Float32Array | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function explicitJobs(layers: readonly Layer[], specs: readonly PerturbationSpec[], only: NonNullable<SweepOptions['only']>): SweepJob[] {
  return only.map((j) => {
    const layer = layers.find((l) => l.name === j.layer);
    const spec = specs.find((p) => p.text === j.perturbation);
    if (!layer || !spec) throw new OptionError(`no layer "${j.layer}" or perturbation "${j.perturbation}" for this sweep`);
    return { layer, spec, seed: j.seed };
  });
}

function selectLayers(layers: Layer[], names: readonly string[] | undefined, source: string): Layer[] {
  if (!names || names.length === 0) return layers;
  const known = new Map(layers.map((l) => [l.name, l]));
  return names.map((name) => {
    const layer = known.get(name);
    if (!layer) {
      throw new OptionError(`${source}: no weight layer named "${name}"; layers: ${layers.map((l) => l.name).join(', ')}`);
    }
    return layer;
  });
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

interface JobContext {
  io: { input: { name: string }; logits: string };
  base: Base;
  /** Options of the job sessions, and of the single-stream runs (frontier). */
  session: SessionOptions;
  wholeMachine: SessionOptions;
  batchSize: number;
  adaptive: AdaptiveOptions | undefined;
  /** Images in the data set, and the number of adaptive checks (batches) over it. */
  count: number;
  checks: number;
  timing: SweepTiming;
}

interface JobResult {
  totals: ClassificationTotals;
  seconds: number;
  halfWidth?: number;
  stoppedEarly?: boolean;
  /** Adaptive mode: base_correct − perturbed_correct over the images used. */
  paired?: PairedState;
}

/** Ranges of samples processed together for a group, so that its cached frontier stays under the bound (whole batches, at least one). */
function chunkRanges(group: LayerGroup, batchSize: number, count: number, memoryBytes: number): { start: number; end: number }[] {
  const fit = Math.floor(memoryBytes / Math.max(1, group.bytesPerSample));
  const chunk = Math.max(batchSize, Math.floor(fit / batchSize) * batchSize);
  const chunks: { start: number; end: number }[] = [];
  for (let start = 0; start < count; start += chunk) chunks.push({ start, end: Math.min(count, start + chunk) });
  return chunks;
}

/** Runs a group's jobs chunk by chunk; `cached` is the group's frontier over the whole data, if already computed. */
async function runGroup(
  group: LayerGroup,
  byLayer: ReadonlyMap<Layer, SweepJob[]>,
  cuts: ReadonlyMap<Layer, DownstreamCut>,
  context: JobContext,
  data: SweepData,
  model: Model,
  input: string,
  memoryBytes: number,
  jobsAtOnce: number,
  write: (job: SweepJob, result: JobResult) => void,
  cached?: readonly FrontierBatch[],
): Promise<void> {
  const chunks = chunkRanges(group, context.batchSize, data.count, memoryBytes);
  const partial = new Map<SweepJob, JobResult>();
  for (const range of chunks) {
    const frontierStarted = performance.now();
    const frontier = cached ?? (await computeFrontier(model, input, group.values, data, range, context.batchSize, context.wholeMachine));
    context.timing.frontier += (performance.now() - frontierStarted) / 1000;
    for (const layer of group.layers) {
      const jobs = byLayer.get(layer) ?? [];
      const cut = cuts.get(layer) as DownstreamCut;
      const last = range === chunks[chunks.length - 1];
      await inOrderPool(jobs, jobsAtOnce, (job) => evaluateJob(job, cut, frontier, context, partial.get(job)), (job, result) => {
        if (last) write(job, result);
        else partial.set(job, result);
      });
    }
  }
}

/** Runs `work` over items with at most `width` in flight; `done` is called in item order. */
async function inOrderPool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>, done: (item: T, result: R) => void): Promise<void> {
  const results = new Map<number, R>();
  let next = 0;
  let flushed = 0;
  const flush = (): void => {
    while (results.has(flushed)) {
      done(items[flushed] as T, results.get(flushed) as R);
      results.delete(flushed);
      flushed++;
    }
  };
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results.set(i, await work(items[i] as T));
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** Evaluates one job on one chunk of the data, continuing `previous` (the earlier chunks' result) if given. */
async function evaluateJob(job: SweepJob, cut: DownstreamCut, frontier: readonly FrontierBatch[], context: JobContext, previous?: JobResult): Promise<JobResult> {
  if (previous?.stoppedEarly) return previous;
  const started = performance.now();
  const { timing } = context;
  let mark = started;
  const lap = (key: keyof SweepTiming): void => {
    const now = performance.now();
    timing[key] += (now - mark) / 1000;
    mark = now;
  };
  const { layer, spec, seed } = job;
  const weights = cut.model.graph.initializers;
  const weight = weights.get(layer.name);
  const bias = layer.bias ? weights.get(layer.bias) : undefined;
  const perturbed = applyPerturbation(
    {
      weight: weight?.data as Float32Array,
      shape: layer.shape,
      channelAxis: layer.channelAxis,
      bias: bias?.data as Float32Array | undefined,
    },
    spec.perturbation,
    createRng(rngSeedFor(layer.name, spec.text, seed)),
  );
  const values = new Map<string, Float32Array>([[layer.name, perturbed.weight]]);
  if (perturbed.bias && layer.bias) values.set(layer.bias, perturbed.bias);
  lap('perturb');
  // A perturbation that leaves every bit of the weights as it was (a low bit-flip rate that drew no
  // flip, say) cannot change the outputs: the unperturbed logits are the exact answer.
  const unchanged = sameBits(perturbed.weight, weight?.data as Float32Array) && (!perturbed.bias || sameBits(perturbed.bias, bias?.data as Float32Array));
  const runner = unchanged ? undefined : await OrtRunner.create(withInitializerValues(cut.model, values), `${layer.name} ${spec.text}`, context.session);
  lap('sessions');
  const totals = previous ? { ...previous.totals } : emptyTotals();
  const { base, adaptive } = context;
  const paired = previous?.paired ? { ...previous.paired } : emptyPaired();
  let halfWidth: number | undefined;
  let stoppedEarly = false;
  try {
    for (const batch of frontier) {
      let logits: Float32Array;
      if (runner) {
        const feeds: Record<string, OrtTensor> = {};
        for (const v of cut.frontier) feeds[v.name] = batch.values.get(v.name) as OrtTensor;
        mark = performance.now();
        const out = await runner.run(feeds, [context.io.logits]);
        lap('runs');
        logits = (out[context.io.logits] as OrtTensor).data as Float32Array;
      } else {
        logits = base.logits.subarray(batch.start * base.classes, (batch.start + batch.count) * base.classes);
      }
      accumulate(totals, logits, batch.labels, base.classes, base.logits, batch.start * base.classes);
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
    await runner?.release();
  }
  const result: JobResult = { totals, seconds: (previous?.seconds ?? 0) + (performance.now() - started) / 1000 };
  if (adaptive) {
    result.paired = paired;
    result.stoppedEarly = stoppedEarly;
    // Without an early stop every image was used: the result is exact.
    result.halfWidth = stoppedEarly ? (halfWidth ?? Infinity) : 0;
  }
  return result;
}

/**
 * The unperturbed model over the whole data set; with `frontierValues`, also those values of every
 * batch, computed in the same runs (the image input among them is the batch itself).
 */
async function evaluateBase(
  model: Model,
  source: string,
  data: LabeledBatches,
  batchSize: number,
  session: SessionOptions,
  frontierValues: readonly string[],
  input: string,
): Promise<{ base: Base; frontier: FrontierBatch[] }> {
  const evaluator = await Evaluator.create(model, source, session, frontierValues.filter((v) => v !== input));
  const frontier: FrontierBatch[] = [];
  const keepInput = frontierValues.includes(input);
  try {
    const r = await evaluator.evaluate(data, {
      batchSize,
      keepLogits: true,
      onFetched: (batch, fetched) => {
        if (frontierValues.length === 0) return;
        const values = new Map(fetched);
        if (keepInput) values.set(input, makeTensor('float32', batch.images, [batch.count, ...data.sampleShape]));
        frontier.push({ start: batch.start, count: batch.count, labels: batch.labels, values });
      },
    });
    const base = { logits: r.logits as Float32Array, correct: r.correctness as Uint8Array, accuracy: r.accuracy, loss: r.loss, classes: r.classes };
    return { base, frontier };
  } finally {
    await evaluator.release();
  }
}

function makeRow(job: SweepJob, result: JobResult, base: Base, options: SweepOptions, identity: { model_sha256: string; data_sha256: string }): SweepRow {
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
    model: options.modelPath,
    ...identity,
    version: options.version,
    seconds: Math.round(result.seconds * 1000) / 1000,
  };
  if (options.adaptive && result.halfWidth !== undefined) {
    row.adaptive = {
      precision: options.adaptive.precision,
      confidence: options.adaptive.confidence,
      half_width: result.halfWidth,
      stopped_early: result.stoppedEarly ?? false,
    };
  }
  return row;
}
