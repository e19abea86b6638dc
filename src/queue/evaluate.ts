/**
 * A worker's side of one queued job, run in BullMQ's sandboxed child process (processor.ts): open the
 * model and data the job names (under --root), check them by sha256 against the sweep's, and evaluate
 * the job with the same SweepEvaluator a local sweep uses. One evaluator is kept per (model, data, sweep
 * layers, batch, memory), so consecutive jobs of a layer group share the base run and frontier values.
 */
import { openEvalData } from '../data/eval-data.js';
import { prepareModelFile } from '../model/prepare.js';
import { parsePerturbation } from '../perturb/index.js';
import type { SweepRow } from '../rows/row.js';
import { SweepEvaluator } from '../sweep/evaluator.js';
import { selectLayers, type SweepJob } from '../sweep/plan.js';
import { VERSION } from '../version.js';
import { QueueError } from './errors.js';
import { describeJob, workerPath, type QueueJobData } from './jobs.js';

/** A worker's own settings (from `safer worker`), the same for every job it takes. */
export interface WorkerSettings {
  /** Where relative job paths are opened (default: the directory the sweep was enqueued from). */
  root?: string;
  /** onnxruntime threads of every session (default: all cores). */
  threads?: number;
}

interface Loaded {
  key: string;
  evaluator: SweepEvaluator;
}

let loaded: Promise<Loaded> | undefined;

/** Evaluates one queued job and returns its row (the same row a local sweep writes). */
export async function evaluateQueueJob(job: QueueJobData, settings: WorkerSettings): Promise<SweepRow> {
  const paths = {
    model: workerPath(job.files.model, job.files, settings.root),
    data: workerPath(job.files.data, job.files, settings.root),
    ...(job.files.labels !== undefined ? { labels: workerPath(job.files.labels, job.files, settings.root) } : {}),
  };
  const key = JSON.stringify([paths, job.limit, job.preprocess, job.layers, job.batch, job.memory_bytes, job.model_sha256, job.data_sha256, settings.threads]);
  let current = loaded ? await loaded.catch(() => undefined) : undefined;
  if (current?.key !== key) {
    current?.evaluator.release();
    loaded = load(key, paths, job, settings);
    current = await loaded;
  }
  const { evaluator } = current;
  const layer = evaluator.engine.prepared.layers.find((l) => l.name === job.layer);
  const spec = parsePerturbation(job.perturbation);
  if (!layer || (job.layers !== null && !job.layers.includes(job.layer))) {
    throw new QueueError(`${paths.model}: job ${describeJob(job)} names a layer this sweep does not have`);
  }
  if (spec.text !== job.perturbation) throw new QueueError(`job ${describeJob(job)}: "${job.perturbation}" is not in canonical form ("${spec.text}"): enqueued by another safer version?`);
  const sweepJob: SweepJob = { layer, spec, seed: job.seed };
  let row: SweepRow | undefined;
  await evaluator.evaluate([sweepJob], (j, result) => {
    row = evaluator.row(j, result, { model: job.row_model, model_sha256: job.model_sha256, data_sha256: job.data_sha256, version: VERSION });
  });
  if (!row) throw new Error(`internal error: job ${describeJob(job)} gave no row`);
  return row;
}

async function load(key: string, paths: { model: string; data: string; labels?: string }, job: QueueJobData, settings: WorkerSettings): Promise<Loaded> {
  const data = await openEvalData({
    data: paths.data,
    ...(paths.labels !== undefined ? { labels: paths.labels } : {}),
    ...(job.limit !== undefined ? { limit: job.limit } : {}),
    preprocess: job.preprocess,
  });
  const prepared = await prepareModelFile(paths.model, { sampleShape: data.sampleShape, samples: data.description });
  if (prepared.sha256 !== job.model_sha256) {
    throw new QueueError(
      `${paths.model} is not the sweep's model: its sha256 is ${prepared.sha256.slice(0, 12)}…, the sweep's ${job.model_sha256.slice(0, 12)}… ` +
        '(give this worker --root with a copy of the same files)',
    );
  }
  const fingerprint = await data.fingerprint();
  if (fingerprint !== job.data_sha256) {
    throw new QueueError(
      `${paths.data}: the preprocessed data's sha256 is ${fingerprint.slice(0, 12)}…, the sweep's ${job.data_sha256.slice(0, 12)}… ` +
        '(another copy of the data, or other labels; give this worker --root with a copy of the same files)',
    );
  }
  const layers = selectLayers(prepared.layers, job.layers ?? undefined, prepared.source);
  const threads = settings.threads !== undefined ? { threads: settings.threads } : {};
  const evaluator = await SweepEvaluator.create(prepared, data, {
    layers,
    memoryBytes: job.memory_bytes,
    ...(job.batch !== undefined ? { batchSize: job.batch } : {}),
    session: threads,
    prefix: threads,
  });
  return { key, evaluator };
}
