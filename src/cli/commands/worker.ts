import { UsageError } from '../../errors.js';
import { describeJob } from '../../queue/jobs.js';
import { PASSWORD_ENV, parseRedisUrl } from '../../queue/target.js';
import { startWorker, WORKER_DEFAULTS } from '../../queue/worker.js';
import { defineCommand } from '../command.js';
import { noteWriter, OUTPUT_OPTIONS } from '../data-options.js';
import { json } from '../format.js';
import { takeInterrupts } from '../interrupt.js';

export const worker = defineCommand({
  name: 'worker',
  summary: 'take sweep jobs from a Redis queue and evaluate them (any number, on any machine)',
  usage: '--queue redis://host:6379/0 [--root DIR] [--processes P] [--threads T]',
  details: [
    'Takes the jobs that "safer sweep --queue" enqueues, evaluates each (one layer, perturbation and seed) with the',
    'graph-cut engine of a local sweep, and stores its row in Redis under the job id. Start as many as you like, on',
    'any machine that has the sweep\'s model and data: they are checked by sha256 against the sweep\'s. Relative paths',
    'in a job are opened under --root (default: the directory the sweep was enqueued from); absolute paths as they are.',
    `The password goes in the URL (redis://:password@host) or, better, in ${PASSWORD_ENV}; rediss:// is TLS.`,
    'Runs until interrupted (Ctrl-C finishes the jobs in hand) or, with --idle, until no job came for that long.',
    'Evaluation runs in a child process per job at once, so the lock on a job is renewed while onnxruntime works;',
    'a worker that dies loses its job to another worker once the lock (--lock) expires. See docs/scale-out.md.',
  ].join('\n'),
  examples: [
    'safer worker --queue rediss://queue.lab:6380/0',
    'safer worker --queue redis://10.0.0.5:6379/0 --root /scratch/copy-of-project --processes 2 --threads 4',
  ],
  options: {
    queue: { kind: 'string', value: 'url', description: 'the Redis queue: redis://[user[:password]@]host[:port][/db] or rediss:// (TLS)' },
    root: { kind: 'string', value: 'dir', description: "where to open the jobs' relative model and data paths", defaultText: 'where the sweep was enqueued' },
    processes: { kind: 'integer', value: 'P', description: 'jobs at once, each in its own child process', default: WORKER_DEFAULTS.processes, min: 1 },
    threads: { kind: 'integer', value: 'T', description: 'onnxruntime threads per child process', defaultText: 'cores / processes', min: 1 },
    lock: { kind: 'number', value: 's', description: "seconds a job's lock lasts unrenewed: how soon another worker takes over the job of a dead one", default: WORKER_DEFAULTS.lockSeconds, min: 1 },
    idle: { kind: 'number', value: 's', description: 'stop after this many seconds without a job', min: 0.1 },
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, io }) {
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}" for "safer worker"`);
    if (options.queue === undefined) throw new UsageError('safer worker needs --queue redis://host:6379/0 (the queue that safer sweep --queue fills)');
    const target = parseRedisUrl(options.queue);
    const note = noteWriter(options, io.err);
    const started = performance.now();
    const running = await startWorker({
      target,
      processes: options.processes,
      lockSeconds: options.lock,
      ...(options.root !== undefined ? { root: options.root } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.idle !== undefined ? { idleSeconds: options.idle } : {}),
      onNote: note,
      onJobDone: ({ job, seconds }) => note(`done ${describeJob(job)} of sweep ${job.sweep} in ${seconds.toFixed(2)} s`),
      onJobFailed: ({ job, error, final }) => note(`${final ? 'failed' : 'attempt failed'}: ${job ? describeJob(job) : 'a job'}: ${error}`),
    });
    // A signal lets the jobs in hand finish (their rows are stored), a second one stops at once.
    let signals = 0;
    const giveBack = takeInterrupts(() => {
      if (signals++ === 0) {
        note('stopping: finishing the jobs in hand (again to stop at once)');
        void running.close();
      } else void running.close(true);
    });
    try {
      const { completed, failed, error } = await running.stopped;
      const seconds = (performance.now() - started) / 1000;
      if (options.json) io.out(json({ queue: target.display, completed, failed, seconds, ...(error !== undefined ? { error } : {}) }));
      else io.out(`${completed} jobs done, ${failed} failed attempts, in ${seconds.toFixed(1)} s (${target.display})`);
      if (error !== undefined) {
        io.err(`error: ${error}`);
        return 1;
      }
      return 0;
    } finally {
      giveBack();
    }
  },
});
