/** `safer sweep --queue`: the sweep's options that only a queued sweep has, and its run (enqueue, follow, collect). */
import type { EvalData } from '../data/index.js';
import { UsageError } from '../errors.js';
import type { PreparedModel } from '../model/prepare.js';
import type { PerturbationSpec } from '../perturb/index.js';
import { describeJob } from '../queue/jobs.js';
import { QUEUE_SWEEP_DEFAULTS } from '../queue/defaults.js';
import type { QueuedSweepSummary } from '../queue/sweep.js';
import { PASSWORD_ENV, parseRedisUrl } from '../queue/target.js';
import type { CommandIO } from './command.js';
import { preprocessFrom, type ModelAndData } from './data-options.js';
import type { OptionTable } from './options.js';
import type { Progress } from './progress.js';

export const QUEUE_OPTIONS = {
  queue: { kind: 'string', value: 'url', description: `enqueue the jobs in this Redis queue for "safer worker"s and collect their rows (redis:// or rediss://; password in the URL or ${PASSWORD_ENV})` },
  name: { kind: 'string', value: 'name', description: 'name of the queued sweep', defaultText: 'the model file name and a hash of model, data, perturbations, seeds and layers' },
  attempts: { kind: 'integer', value: 'N', description: 'with --queue: attempts per job before it fails for good', default: QUEUE_SWEEP_DEFAULTS.attempts, min: 1 },
} as const satisfies OptionTable;

/** The sweep options a queued sweep reads (the local-evaluation ones must not be given). */
interface QueuedSweepCliOptions {
  queue: string;
  name: string | undefined;
  attempts: number;
  seeds: number;
  layers: readonly string[] | undefined;
  out: string;
  batch: number | undefined;
  memory: number;
  threads: number | undefined;
  jobs: number;
  adaptive: number | undefined;
  limit: number | undefined;
  json: boolean;
  quiet: boolean;
}

export async function queuedSweep(
  run: { io: CommandIO; progress: (label: string) => Progress; note: (note: string) => void },
  options: QueuedSweepCliOptions & Parameters<typeof preprocessFrom>[0],
  paths: ModelAndData,
  data: EvalData,
  prepared: PreparedModel,
  perturbations: readonly PerturbationSpec[],
  version: string,
): Promise<{ summary: QueuedSweepSummary; code: number }> {
  if (options.adaptive !== undefined) throw new UsageError('--adaptive does not work with --queue yet: run adaptive sweeps locally');
  if (options.threads !== undefined || options.jobs !== 1) throw new UsageError('--threads and --jobs set how a machine evaluates: with --queue, give them to safer worker (--threads, --processes)');
  const target = parseRedisUrl(options.queue);
  const { io, note } = run;
  const bar = run.progress('sweep');
  let nextNote = 0.1;
  // BullMQ and ioredis load only for a queued sweep: a local one starts about 0.1 s sooner.
  const { runQueuedSweep } = await import('../queue/sweep.js');
  const summary = await runQueuedSweep({
    target,
    prepared,
    data,
    files: { model: paths.model, data: paths.data, ...(paths.labels !== undefined ? { labels: paths.labels } : {}) },
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    preprocess: preprocessFrom(options),
    perturbations,
    seeds: options.seeds,
    ...(options.layers ? { layers: options.layers } : {}),
    out: options.out,
    ...(options.batch !== undefined ? { batchSize: options.batch } : {}),
    memoryBytes: options.memory * 2 ** 20,
    attempts: options.attempts,
    ...(options.name !== undefined ? { name: options.name } : {}),
    version,
    onProgress: (p) => {
      bar.update(p.done + p.failed, p.total, p.failed > 0 ? `(${p.failed} failed)` : 'collected');
      // Off a terminal, a note every tenth of the way.
      if (!io.interactive && p.total > 0 && (p.done + p.failed) / p.total >= nextNote) {
        note(`${p.done}/${p.total} rows collected${p.failed > 0 ? `, ${p.failed} jobs failed` : ''}`);
        while ((p.done + p.failed) / p.total >= nextNote) nextNote += 0.1;
      }
    },
    onNote: note,
  });
  bar.done();
  if (summary.failed.length > 0 && !options.json) {
    io.err(`error: ${summary.failed.length} jobs of sweep ${summary.name} failed after their attempts:`);
    for (const f of summary.failed.slice(0, 20)) io.err(`  ${describeJob(f)} (job ${f.id.slice(0, 12)}, ${f.attempts} attempts): ${f.error}`);
    if (summary.failed.length > 20) io.err(`  ... and ${summary.failed.length - 20} more (--json lists them all)`);
    io.err(`${summary.rowsWritten} rows written to ${summary.out}` + (summary.rowsHeldBack > 0 ? `; ${summary.rowsHeldBack} more wait in Redis behind the first failed job` : '') +
      '. Fix what failed and run the same command again: failed jobs are retried, finished ones are not redone.');
  }
  return { summary, code: summary.failed.length > 0 ? 1 : 0 };
}
