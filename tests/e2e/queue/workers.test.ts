/**
 * Sweeps on a Redis queue with several workers on this machine: the collected rows equal a single-process
 * sweep's byte for byte (timings aside), none missing and none twice, also when a worker is killed
 * with kill -9 in the middle of a job; enqueuing the same sweep again adds nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTmp } from '../../data/helpers.js';
import { ROOT, safer } from '../../helpers/cli.js';
import { childrenOf, isAlive, killLeftovers, RedisServer, SaferProcess, sleep, startWorkers, withoutTimings } from './harness.js';

const tmp = makeTmp();
let redis: RedisServer;

/** Relative paths, as a user in the project folder types them: the jobs store them relative to it. */
const sweepArgs = (limit: number): string[] => [
  'sweep', 'zoo/bundled/model.onnx', '--data', 'zoo/bundled/images.npy', '--labels', 'zoo/bundled/labels.npy',
  '--limit', String(limit), '--perturb', 'prune:0.5,noise:0.5', '--seeds', '2',
];
const JOBS = 15; // 5 layers × (prune:0.5 + noise:0.5 × 2 seeds)

const references = new Map<number, string[]>();
/** The single-process sweep's rows, timings taken out. */
function reference(limit: number): string[] {
  const cached = references.get(limit);
  if (cached) return cached;
  const out = tmp.path(`local-${limit}.jsonl`);
  const r = safer([...sweepArgs(limit), '--out', out, '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  const rows = withoutTimings(out);
  expect(rows).toHaveLength(JOBS);
  references.set(limit, rows);
  return rows;
}

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterEach(killLeftovers);

afterAll(async () => {
  await redis.stop();
  tmp.cleanup();
});

describe('safer sweep --queue with workers', () => {
  it('collects exactly the rows of a local sweep from two workers, each job done once', async () => {
    const url = redis.url(1);
    const workers = await startWorkers(2, url, redis.env);
    const out = tmp.path('two.jsonl');
    const sweep = new SaferProcess([...sweepArgs(300), '--queue', url, '--out', out, '--json'], redis.env);
    expect(await sweep.exited, sweep.stderr).toBe(0);
    expect(withoutTimings(out)).toEqual(reference(300));
    const summary = JSON.parse(sweep.stdout) as { jobs: number; enqueued: number; rowsWritten: number; failed: unknown[]; queue: string };
    expect(summary).toMatchObject({ jobs: JOBS, enqueued: JOBS, rowsWritten: JOBS, failed: [], queue: url });
    for (const w of workers) expect(await w.stop(), w.stderr).toBe(0);
    const done = workers.map((w) => w.count(/^done /));
    expect(done.reduce((a, b) => a + b, 0)).toBe(JOBS); // no job evaluated twice
    expect(done.every((n) => n > 0), `jobs per worker: ${done.join(', ')}`).toBe(true);

    // The same sweep again, into another file and with no worker running: every row comes from Redis, nothing is added or redone.
    const again = tmp.path('two-again.jsonl');
    const second = new SaferProcess([...sweepArgs(300), '--queue', url, '--out', again, '--json'], redis.env);
    expect(await second.exited, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ jobs: JOBS, enqueued: 0, rowsWritten: JOBS });
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8')); // timings included: the same evaluations
    expect(Number(redis.cli('-n', '1', 'EVAL', "return #redis.call('keys', 'safer:sweep-jobs:????????????????????????????????????????????????????????????????')", '0'))).toBe(JOBS);
  });

  it('collects the same rows from three workers', async () => {
    const url = redis.url(2);
    const workers = await startWorkers(3, url, redis.env);
    const out = tmp.path('three.jsonl');
    const sweep = new SaferProcess([...sweepArgs(300), '--queue', url, '--out', out], redis.env);
    expect(await sweep.exited, sweep.stderr).toBe(0);
    expect(sweep.stdout).toMatch(new RegExp(`^${JOBS} rows written to .* from sweep model-[0-9a-f]{12} \\(redis://127\\.0\\.0\\.1:\\d+/2\\)`, 'm'));
    expect(withoutTimings(out)).toEqual(reference(300));
    for (const w of workers) await w.stop();
    expect(workers.map((w) => w.count(/^done /)).reduce((a, b) => a + b, 0)).toBe(JOBS);
  });

  it('survives a worker killed with kill -9 in the middle of a job: another worker takes the job once its lock expires', async () => {
    const url = redis.url(3);
    // A 2 s lock, so that the survivor takes over soon.
    const [victim, survivor] = await startWorkers(2, url, redis.env, ['--lock', '2']);
    const out = tmp.path('killed.jsonl');
    const sweep = new SaferProcess([...sweepArgs(2000), '--queue', url, '--out', out], redis.env);
    // Its first job: it has just begun (the child loads the model and runs the base model first, about a second).
    const started = await victim!.waitFor(/^started /);
    // Its sandboxed child is forked just after the job goes active: kill the worker once it is there.
    let children = childrenOf(victim!.pid);
    for (let i = 0; i < 500 && children.length === 0; i++) {
      await sleep(10);
      children = childrenOf(victim!.pid);
    }
    victim!.child.kill('SIGKILL');
    await victim!.exited;
    const job = /^started (.*) \(job ([0-9a-f]+), attempt \d+\)$/.exec(started);
    expect(job, started).not.toBeNull();
    expect(await sweep.exited, sweep.stderr).toBe(0);
    expect(withoutTimings(out)).toEqual(reference(2000));
    // The killed job was started again by the survivor, after its lock expired.
    expect(survivor!.lines.some((l) => l.startsWith(`started ${job![1]} (job ${job![2]}`) && /attempt [2-9]\)$/.test(l)), survivor!.stderr).toBe(true);
    // The killed worker's sandboxed child did not outlive it.
    expect(children.length).toBeGreaterThan(0);
    for (let i = 0; i < 100 && children.some(isAlive); i++) await sleep(100);
    expect(children.filter(isAlive)).toEqual([]);
    await survivor!.stop();
  });

  it('stops a worker whose child process dies while starting, which BullMQ does not notice; another worker does the job', async () => {
    const url = redis.url(4);
    // The built library, in this process: its child processes die as they start (exit 7 before loading anything).
    const distQueue = `${ROOT}dist/queue/index.js`;
    const { parseRedisUrl, startWorker } = (await import(distQueue)) as typeof import('../../../src/queue/index.js');
    const crash = tmp.path('crash-child.cjs');
    writeFileSync(crash, "if (/bullmq[\\\\/]dist[\\\\/]cjs[\\\\/]classes[\\\\/]main\\.js$/.test(process.argv[1] ?? '')) process.exit(7);\n");
    const saved = process.env['NODE_OPTIONS'];
    process.env['NODE_OPTIONS'] = `--require ${crash}`;
    const notes: string[] = [];
    let doomed;
    try {
      doomed = await startWorker({ target: parseRedisUrl(url, redis.env), threads: 1, lockSeconds: 2, startTimeoutSeconds: 3, onNote: (n) => notes.push(n) });
    } finally {
      if (saved === undefined) delete process.env['NODE_OPTIONS'];
      else process.env['NODE_OPTIONS'] = saved;
    }
    const out = tmp.path('child-died.jsonl');
    const sweep = new SaferProcess([...sweepArgs(300), '--queue', url, '--out', out], redis.env);
    const stopped = await doomed.stopped;
    expect(stopped.error, notes.join('\n')).toMatch(/^the child process for \S+ \S+ seed \d+ \(job [0-9a-f]{12}\) did not start it within 3 s .*goes to another worker once its lock expires$/);
    expect(stopped.completed).toBe(0);
    const [rescuer] = await startWorkers(1, url, redis.env, ['--lock', '2']);
    expect(await sweep.exited, sweep.stderr).toBe(0);
    expect(withoutTimings(out)).toEqual(reference(300));
    await rescuer!.stop();
  });
});
