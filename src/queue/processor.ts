/**
 * The sandboxed processor that BullMQ runs in a child process of `safer worker` (one per --processes).
 * onnxruntime-node runs a session synchronously, which would block the worker's event loop and with
 * it BullMQ's lock renewal: here it blocks only this child, while the parent keeps renewing the lock.
 * The child lives on between jobs, so it keeps its evaluator (evaluate.ts). Settings come from the
 * parent through SAFER_WORKER_SETTINGS.
 *
 * This module loads nothing heavy: BullMQ 6.7 does not notice a child that dies while it loads its
 * processor (the job would hang), so onnxruntime and the model code are imported in the first job, where
 * a crash fails the attempt; and the first thing a job does is report progress, by which the parent
 * knows that the child took it (worker.ts stops a worker whose child never does).
 */
import type { SandboxedJob } from 'bullmq';
import type { SweepRow } from '../rows/row.js';
import type { WorkerSettings } from './evaluate.js';
import { SETTINGS_ENV, STARTED_PROGRESS, type QueueJobData } from './jobs.js';

const settings = JSON.parse(process.env[SETTINGS_ENV] ?? '{}') as WorkerSettings;

// A parent killed with kill -9 leaves this child behind: leave as soon as the channel to it closes.
process.on('disconnect', () => process.exit(0));

export default async function process_(job: SandboxedJob<QueueJobData, SweepRow>): Promise<SweepRow> {
  await job.updateProgress(STARTED_PROGRESS);
  const { evaluateQueueJob } = await import('./evaluate.js');
  return evaluateQueueJob(job.data, settings);
}
