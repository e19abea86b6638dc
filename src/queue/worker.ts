/**
 * `safer worker`: takes sweep jobs from the queue and evaluates them in BullMQ sandboxed processors
 * (processor.ts), one child process per concurrent job. The parent only talks to Redis: its event loop
 * stays free to renew job locks, so a lock lasts only as long as the worker lives, and a worker killed
 * mid-job (kill -9) has its job taken by another worker once the lock expires (`lockSeconds`).
 */
import { availableParallelism } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { SweepRow } from '../rows/row.js';
import { openRedis } from './connection.js';
import { QueueError } from './errors.js';
import { describeJob, KEY_PREFIX, QUEUE_NAME, SETTINGS_ENV, type QueueJobData } from './jobs.js';
import type { WorkerSettings } from './evaluate.js';
import { connectionOptions, redact, type RedisTarget } from './target.js';

export const WORKER_DEFAULTS = {
  /** Jobs at once, each in its own child process. */
  processes: 1,
  /** How long a job's lock lasts without renewal (renewed every half of it while the job runs). */
  lockSeconds: 30,
} as const;

/** How often a job whose worker died (its lock expired) can go back to the queue before it fails. */
export const MAX_STALLED = 2;

/** Seconds a child process may take from a job's start to its first report (processor.ts) before the worker gives up. */
export const START_TIMEOUT_SECONDS = 60;

export interface QueueWorkerOptions extends WorkerSettings {
  target: RedisTarget;
  processes?: number;
  lockSeconds?: number;
  /** Stop after this many seconds without a job (default: run until closed). */
  idleSeconds?: number;
  /** See START_TIMEOUT_SECONDS. */
  startTimeoutSeconds?: number;
  onJobDone?: (event: { job: QueueJobData; id: string; seconds: number }) => void;
  onJobFailed?: (event: { job: QueueJobData | undefined; id: string; error: string; final: boolean }) => void;
  onNote?: (note: string) => void;
}

export interface QueueWorker {
  /** Finishes the jobs in hand, then stops; `force` stops at once (the jobs go back to the queue when their locks expire). */
  close(force?: boolean): Promise<void>;
  /**
   * Settles when the worker has stopped: closed, idle for idleSeconds, or given up because a child
   * process never took its job (`error` says so).
   */
  readonly stopped: Promise<{ completed: number; failed: number; error?: string }>;
}

/** Connects, checks Redis, and starts taking jobs. */
export async function startWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { target } = options;
  const note = options.onNote ?? (() => {});
  // The checks, before BullMQ connects; the client stays to say when the connection is lost and back.
  const client = await openRedis(target, { onNote: note });
  const lockMs = (options.lockSeconds ?? WORKER_DEFAULTS.lockSeconds) * 1000;
  const processes = options.processes ?? WORKER_DEFAULTS.processes;
  const settings: WorkerSettings = {
    ...(options.root !== undefined ? { root: options.root } : {}),
    // The cores are shared among the child processes.
    threads: options.threads ?? Math.max(1, Math.floor(availableParallelism() / processes)),
  };
  const worker = new Worker<QueueJobData, SweepRow>(QUEUE_NAME, new URL('./processor.js', import.meta.url), {
    connection: connectionOptions(target),
    prefix: KEY_PREFIX,
    concurrency: processes,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: MAX_STALLED,
    workerForkOptions: { env: { ...process.env, [SETTINGS_ENV]: JSON.stringify(settings) } },
    autorun: false,
  });
  let completed = 0;
  let failed = 0;
  let running = 0;
  let lastActivity = performance.now();
  const started = new Map<string, number>();
  /** Jobs whose child has not reported yet, with their start time. */
  const unconfirmed = new Map<string, { job: Job<QueueJobData>; since: number }>();
  worker.on('active', (job: Job<QueueJobData>) => {
    running++;
    lastActivity = performance.now();
    started.set(job.id ?? '', performance.now());
    unconfirmed.set(job.id ?? '', { job, since: performance.now() });
    note(`started ${describeJob(job.data)} (job ${shortId(job.id)}, attempt ${job.attemptsStarted})`);
  });
  worker.on('progress', (job: Job<QueueJobData>) => unconfirmed.delete(job.id ?? ''));
  worker.on('completed', (job: Job<QueueJobData>) => {
    unconfirmed.delete(job.id ?? '');
    running = Math.max(0, running - 1);
    completed++;
    lastActivity = performance.now();
    const seconds = (performance.now() - (started.get(job.id ?? '') ?? lastActivity)) / 1000;
    started.delete(job.id ?? '');
    options.onJobDone?.({ job: job.data, id: job.id ?? '', seconds });
  });
  worker.on('failed', (job: Job<QueueJobData> | undefined, error: Error) => {
    unconfirmed.delete(job?.id ?? '');
    running = Math.max(0, running - 1);
    failed++;
    lastActivity = performance.now();
    const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) : true;
    options.onJobFailed?.({ job: job?.data, id: job?.id ?? '', error: redact(error.message, target), final });
  });
  worker.on('error', (e: Error) => {
    // Lost connections are reported once by our own client, not on every attempt to reconnect.
    if (!/ECONNREFUSED|ECONNRESET|EPIPE|Connection is closed|LOADING/.test(e.message)) note(`queue error: ${redact(e.message, target)}`);
  });
  worker.on('stalled', (id: string) => note(`job ${shortId(id)} had lost its worker; it goes back to the queue`));

  let idleTimer: NodeJS.Timeout | undefined;
  let gaveUp: string | undefined;
  const stopped = new Promise<{ completed: number; failed: number; error?: string }>((resolve) => {
    worker.on('closed', () => {
      clearInterval(idleTimer);
      clearInterval(startTimer);
      client.disconnect();
      resolve({ completed, failed, ...(gaveUp !== undefined ? { error: gaveUp } : {}) });
    });
  });
  // A child process that dies while it starts (BullMQ 6.7 does not notice: processor.ts) leaves its job in
  // hand for ever, its lock renewed. Stop this worker instead: the job goes to another one when its lock expires.
  const startMs = (options.startTimeoutSeconds ?? START_TIMEOUT_SECONDS) * 1000;
  const startTimer = setInterval(() => {
    for (const { job, since } of unconfirmed.values()) {
      if (performance.now() - since > startMs && gaveUp === undefined) {
        gaveUp = `the child process for ${describeJob(job.data)} (job ${shortId(job.id)}) did not start it within ${startMs / 1000} s ` +
          '(it died while starting?): this worker stops, and the job goes to another worker once its lock expires';
        void worker.close(true);
      }
    }
  }, Math.min(1000, startMs / 2));
  if (options.idleSeconds !== undefined) {
    const idleMs = options.idleSeconds * 1000;
    idleTimer = setInterval(() => {
      if (running === 0 && performance.now() - lastActivity > idleMs) {
        clearInterval(idleTimer);
        note(`no job for ${options.idleSeconds} s: stopping`);
        void worker.close();
      }
    }, Math.min(1000, idleMs));
  }
  worker.run().catch((e: unknown) => note(`worker stopped: ${redact((e as Error).message, target)}`));
  await worker.waitUntilReady().catch((e: unknown) => {
    throw new QueueError(`cannot take jobs from ${target.display}: ${redact((e as Error).message, target)}`);
  });
  note(`taking jobs from ${target.display} (${processes} at once, ${settings.threads} onnxruntime threads each)`);
  return {
    async close(force = false) {
      clearInterval(idleTimer);
      await worker.close(force);
    },
    stopped,
  };
}

function shortId(id: string | undefined): string {
  return (id ?? '?').slice(0, 12);
}
