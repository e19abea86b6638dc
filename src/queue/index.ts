/**
 * Sweeps on a Redis queue, as a library: `import { runQueuedSweep, startWorker } from 'safer/queue'`.
 * Kept out of the main entry point because BullMQ alone takes about half a second to import.
 *
 * @example
 * const target = parseRedisUrl('redis://127.0.0.1:6379/0'); // password from SAFER_REDIS_PASSWORD
 * const worker = await startWorker({ target, idleSeconds: 10 });
 * await worker.stopped;
 */
export { QueueError } from './errors.js';
export { jobId, KEY_PREFIX, QUEUE_NAME, sweepName, type QueueJobData } from './jobs.js';
export { QUEUE_SWEEP_DEFAULTS } from './defaults.js';
export { runQueuedSweep, type FailedJob, type QueuedSweepOptions, type QueuedSweepSummary, type QueueProgress } from './sweep.js';
export { parseRedisUrl, PASSWORD_ENV, redact, type RedisTarget } from './target.js';
export { MAX_STALLED, startWorker, WORKER_DEFAULTS, type QueueWorker, type QueueWorkerOptions } from './worker.js';
