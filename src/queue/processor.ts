/**
 * The sandboxed processor that BullMQ runs in a child process of `safer worker` (one per --processes).
 * onnxruntime-node runs a session synchronously, which would block the worker's event loop and with
 * it BullMQ's lock renewal: here it blocks only this child, while the parent keeps renewing the lock.
 * The child lives on between jobs, so it keeps its evaluator (evaluate.ts). Settings come from the
 * parent through SAFER_WORKER_SETTINGS.
 */
import type { SandboxedJob } from 'bullmq';
import type { SweepRow } from '../rows/row.js';
import { evaluateQueueJob, type WorkerSettings } from './evaluate.js';
import { SETTINGS_ENV, type QueueJobData } from './jobs.js';

const settings = JSON.parse(process.env[SETTINGS_ENV] ?? '{}') as WorkerSettings;

// A parent killed with kill -9 leaves this child behind: leave as soon as the channel to it closes.
process.on('disconnect', () => process.exit(0));

export default function process_(job: SandboxedJob<QueueJobData, SweepRow>): Promise<SweepRow> {
  return evaluateQueueJob(job.data, settings);
}
