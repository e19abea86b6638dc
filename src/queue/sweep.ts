/**
 * `safer sweep --queue`: enqueues a sweep's jobs and collects their rows. The jobs are the local sweep's
 * (plan.ts), in its order; each is one BullMQ job whose id is a hash of what its row depends on
 * (jobs.ts), so enqueuing a sweep again adds nothing. Workers store each row as the return value of its
 * job, which BullMQ writes in the same atomic step that marks the job completed: a job is never done
 * without its row, and a job delivered twice overwrites its own row.
 *
 * The rows go to the same append-only results file a local sweep writes, in the local sweep's job
 * order: a row is appended once every row before it is there. A restarted follower resumes from the
 * file; jobs that Redis lost (a restart without persistence) are enqueued again when they are found
 * missing; jobs that failed for good are reported (and retried when the sweep is enqueued again).
 */
import { Queue, type Job } from 'bullmq';
import type { Preprocess } from '../data/preprocess.js';
import { OptionError } from '../errors.js';
import type { PreparedModel } from '../model/prepare.js';
import type { PerturbationSpec } from '../perturb/index.js';
import { RowsError } from '../rows/errors.js';
import { parseRow } from '../rows/parse.js';
import { ResultsFile } from '../rows/results-file.js';
import { ROW_FORMAT, rowKey, type SweepRow } from '../rows/row.js';
import { SWEEP_DEFAULTS, type SweepData } from '../sweep/options.js';
import { planJobs, selectLayers, type SweepJob } from '../sweep/plan.js';
import { openRedis } from './connection.js';
import { QUEUE_SWEEP_DEFAULTS } from './defaults.js';
import { QueueError } from './errors.js';
import { checkSweepName, definitionHash, describeJob, jobId, jobPath, KEY_PREFIX, QUEUE_NAME, sweepName, type QueueJobData, type SweepDefinition } from './jobs.js';
import { connectionOptions, redact, type RedisTarget } from './target.js';


/** Jobs looked at per poll: the first unfinished ones in job order. */
const WINDOW = 256;

export interface QueuedSweepOptions {
  target: RedisTarget;
  prepared: PreparedModel;
  data: SweepData;
  /** The files as given (the model path also names the rows); relative paths are taken from `root`. */
  files: { model: string; data: string; labels?: string };
  /** Where relative paths are resolved, and what a worker's --root stands in for (default: the working directory). */
  root?: string;
  limit?: number;
  preprocess: Preprocess;
  perturbations: readonly PerturbationSpec[];
  seeds?: number;
  layers?: readonly string[];
  out: string;
  batchSize?: number;
  memoryBytes?: number;
  attempts?: number;
  /** The sweep's name (default: from the model, data, perturbations, seeds and layers). */
  name?: string;
  version: string;
  pollMs?: number;
  onProgress?: (progress: QueueProgress) => void;
  onNote?: (note: string) => void;
}

export interface QueueProgress {
  /** Rows collected (written or waiting for an earlier one), and jobs that failed for good, of `total`. */
  done: number;
  failed: number;
  total: number;
}

export interface FailedJob {
  id: string;
  layer: string;
  perturbation: string;
  seed: number;
  attempts: number;
  error: string;
}

export interface QueuedSweepSummary {
  out: string;
  name: string;
  /** The queue's URL, password masked. */
  queue: string;
  /** Jobs of the sweep, and how many of them were new to the queue. */
  jobs: number;
  enqueued: number;
  rowsWritten: number;
  rowsAlreadyThere: number;
  repairedBytes: number;
  /** Rows collected but not written, because an earlier job failed (they stay in Redis). */
  rowsHeldBack: number;
  failed: FailedJob[];
  seconds: number;
}

export async function runQueuedSweep(options: QueuedSweepOptions): Promise<QueuedSweepSummary> {
  const started = performance.now();
  const { prepared, target } = options;
  const note = options.onNote ?? (() => {});
  const seeds = options.seeds ?? SWEEP_DEFAULTS.seeds;
  const root = options.root ?? process.cwd();
  const layers = selectLayers(prepared.layers, options.layers, prepared.source);
  const dataSha = await options.data.fingerprint();
  const identity = { model: prepared.source, model_sha256: prepared.sha256, data_sha256: dataSha, version: options.version };
  const definition: SweepDefinition = {
    model_sha256: prepared.sha256,
    data_sha256: dataSha,
    perturbations: options.perturbations.map((p) => p.text),
    seeds,
    layers: options.layers && options.layers.length > 0 ? layers.map((l) => l.name) : null,
  };
  const name = options.name ?? sweepName(options.files.model, definition);
  const bad = checkSweepName(name);
  if (bad) throw new OptionError(`--name: ${bad}`);

  const { file, done, repairedBytes, rowsFound } = ResultsFile.open(options.out, identity, note);
  if (repairedBytes > 0) note(`${options.out}: removed a half-written last line (${repairedBytes} bytes) left by an interrupted run`);
  let client: Awaited<ReturnType<typeof openRedis>> | undefined;
  let queue: Queue<QueueJobData, SweepRow> | undefined;
  try {
    client = await openRedis(target, { onNote: note });
    const jobs = new Queue<QueueJobData, SweepRow>(QUEUE_NAME, { connection: connectionOptions(target), prefix: KEY_PREFIX });
    queue = jobs;
    jobs.on('error', () => {}); // reconnects are reported once by our own client
    await claimName(client, name, definition, prepared.source);
    const all = planJobs(layers, options.perturbations, seeds);
    const pending = all.filter((j) => !done.has(rowKey({ layer: j.layer.name, perturbation: j.spec.text, seed: j.seed })));
    if (rowsFound > 0) note(`${options.out}: ${rowsFound} rows already there; ${pending.length} of ${all.length} to go`);
    const common: Omit<QueueJobData, 'layer' | 'perturbation' | 'seed'> = {
      sweep: name,
      model_sha256: prepared.sha256,
      data_sha256: dataSha,
      row_format: ROW_FORMAT,
      files: {
        root,
        model: jobPath(options.files.model, root),
        data: jobPath(options.files.data, root),
        ...(options.files.labels !== undefined ? { labels: jobPath(options.files.labels, root) } : {}),
      },
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      preprocess: options.preprocess,
      layers: definition.layers ? [...definition.layers] : null,
      ...(options.batchSize !== undefined ? { batch: options.batchSize } : {}),
      memory_bytes: options.memoryBytes ?? SWEEP_DEFAULTS.memoryMiB * 2 ** 20,
      row_model: prepared.source,
      version: options.version,
    };
    const entries = pending.map((job) => {
      const data: QueueJobData = { ...common, layer: job.layer.name, perturbation: job.spec.text, seed: job.seed };
      return { job, id: jobId(prepared.sha256, dataSha, data), data };
    });
    const attempts = options.attempts ?? QUEUE_SWEEP_DEFAULTS.attempts;
    const enqueue = async (list: typeof entries): Promise<void> => {
      for (let i = 0; i < list.length; i += 1000) {
        await jobs.addBulk(list.slice(i, i + 1000).map((e) => ({
          name: 'sweep-job',
          data: e.data,
          opts: { jobId: e.id, attempts, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
        })));
      }
    };
    const before = await totalJobs(jobs);
    const retried = await retryFailed(jobs, new Set(entries.map((e) => e.id)));
    if (retried > 0) note(`${retried} jobs of this sweep had failed before: they are retried`);
    await enqueue(entries);
    const enqueued = (await totalJobs(jobs)) - before;
    note(`sweep ${name}: ${entries.length} jobs in the queue at ${target.display} (${enqueued} new); waiting for workers (safer worker --queue ${target.display})`);

    const summary: QueuedSweepSummary = {
      out: options.out, name, queue: target.display, jobs: all.length, enqueued, rowsWritten: 0, rowsAlreadyThere: rowsFound, repairedBytes, rowsHeldBack: 0, failed: [], seconds: 0,
    };
    const collected = new Map<number, SweepRow>();
    const failed = new Map<number, FailedJob>();
    let next = 0;
    let reported = -1;
    const pollMs = options.pollMs ?? QUEUE_SWEEP_DEFAULTS.pollMs;
    for (;;) {
      while (next < entries.length && collected.has(next)) {
        file.append(collected.get(next) as SweepRow);
        collected.delete(next);
        summary.rowsWritten++;
        next++;
      }
      const doneCount = summary.rowsWritten + collected.size;
      if (doneCount + failed.size !== reported) {
        reported = doneCount + failed.size;
        options.onProgress?.({ done: doneCount, failed: failed.size, total: entries.length });
      }
      const open: number[] = [];
      for (let i = next; i < entries.length && open.length < WINDOW; i++) if (!collected.has(i) && !failed.has(i)) open.push(i);
      if (open.length === 0) break;
      const found = await Promise.all(open.map((i) => jobs.getJob((entries[i] as (typeof entries)[number]).id)));
      let progressed = false;
      const lost: number[] = [];
      for (let k = 0; k < open.length; k++) {
        const i = open[k] as number;
        const entry = entries[i] as (typeof entries)[number];
        const job = found[k];
        if (!job) {
          lost.push(i);
          continue;
        }
        const row = finishedRow(job, entry.job, identity, name);
        if (row) {
          collected.set(i, row);
          progressed = true;
        } else if (job.failedReason && (await job.getState()) === 'failed') {
          failed.set(i, { id: entry.id, layer: entry.job.layer.name, perturbation: entry.job.spec.text, seed: entry.job.seed, attempts: job.attemptsMade, error: redact(job.failedReason, target) });
          progressed = true;
        }
      }
      if (lost.length > 0) {
        // Redis lost jobs (restarted without persistence, or flushed): enqueue every unfinished job again.
        const again = entries.filter((_, i) => i >= next && !collected.has(i) && !failed.has(i));
        note(`${lost.length} jobs of sweep ${name} were missing from Redis (restarted without persistence?): enqueuing the ${again.length} unfinished jobs again`);
        await enqueue(again);
        progressed = true;
      }
      if (!progressed) await new Promise((r) => setTimeout(r, pollMs));
    }
    summary.failed = [...failed.entries()].sort(([a], [b]) => a - b).map(([, f]) => f);
    summary.rowsHeldBack = collected.size;
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } catch (e) {
    if (e instanceof Error && !(e instanceof OptionError) && !(e instanceof QueueError) && isConnectionError(e)) {
      throw new QueueError(`lost the queue at ${target.display}: ${redact(e.message, target)}`);
    }
    throw e;
  } finally {
    file.close();
    await queue?.close().catch(() => {});
    client?.disconnect();
  }
}

/** The row a completed job returned, checked against the job it was for; undefined if the job has not completed. */
function finishedRow(job: Job<QueueJobData, SweepRow>, planned: SweepJob, identity: { model_sha256: string; data_sha256: string }, sweep: string): SweepRow | undefined {
  const value: unknown = job.returnvalue;
  if (job.finishedOn === undefined || value === null || typeof value !== 'object') return undefined;
  const row = value as SweepRow;
  try {
    parseRow(JSON.stringify(row), `sweep ${sweep}, job ${job.id ?? '?'}`);
  } catch (e) {
    if (e instanceof RowsError) throw new QueueError(`${e.message} (a worker returned a malformed row)`);
    throw e;
  }
  if (row.layer !== planned.layer.name || row.perturbation !== planned.spec.text || row.seed !== planned.seed ||
    row.model_sha256 !== identity.model_sha256 || row.data_sha256 !== identity.data_sha256) {
    throw new QueueError(`sweep ${sweep}: job ${job.id ?? '?'} (${describeJob(planned)}) holds the row of another job (${row.layer} ${row.perturbation} seed ${row.seed})`);
  }
  return row;
}

/** Records the sweep's name with its definition; a name already used for another sweep is refused. */
async function claimName(client: Awaited<ReturnType<typeof openRedis>>, name: string, definition: SweepDefinition, model: string): Promise<void> {
  const key = `${KEY_PREFIX}:sweep:${name}`;
  const record = JSON.stringify({ definition: definitionHash(definition), model, ...definition, created: new Date().toISOString() });
  const set = await client.set(key, record, 'NX');
  if (set === 'OK') return;
  const existing = JSON.parse((await client.get(key)) ?? '{}') as { definition?: string; model?: string; perturbations?: string[] };
  if (existing.definition !== definitionHash(definition)) {
    throw new OptionError(
      `the sweep name "${name}" is taken by another sweep in this queue (${existing.model ?? '?'}: ${(existing.perturbations ?? []).join(',')}); choose another --name`,
    );
  }
}

/** Failed jobs among `ids` go back to the queue. */
async function retryFailed(queue: Queue<QueueJobData, SweepRow>, ids: ReadonlySet<string>): Promise<number> {
  let retried = 0;
  for (const job of await queue.getFailed(0, -1)) {
    if (job.id !== undefined && ids.has(job.id)) {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried++;
    }
  }
  return retried;
}

async function totalJobs(queue: Queue<QueueJobData, SweepRow>): Promise<number> {
  return Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
}

function isConnectionError(e: Error): boolean {
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|Connection is closed|NOAUTH|WRONGPASS/.test(e.message);
}
