/**
 * Faults of a queued sweep: Redis killed and restarted mid-sweep (with its append-only file, and without
 * any persistence), a job that fails on every attempt, a Redis that may evict keys, a wrong password.
 * Whatever happens, the rows collected equal a single-process sweep's, none missing and none twice, and
 * no message ever shows the password.
 */
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTmp } from '../../data/helpers.js';
import { ROOT, safer } from '../../helpers/cli.js';
import { killLeftovers, makeCertificates, RedisServer, SaferProcess, startWorkers, withoutTimings } from './harness.js';

const tmp = makeTmp();
const servers: RedisServer[] = [];
const start = async (options: Parameters<typeof RedisServer.start>[0] = {}): Promise<RedisServer> => {
  const server = await RedisServer.start(options);
  servers.push(server);
  return server;
};

const sweepArgs = (limit: number): string[] => [
  'sweep', 'zoo/bundled/model.onnx', '--data', 'zoo/bundled/images.npy', '--labels', 'zoo/bundled/labels.npy',
  '--limit', String(limit), '--perturb', 'prune:0.5,noise:0.5', '--seeds', '2',
];
const JOBS = 15;

const references = new Map<number, string[]>();
function reference(limit: number): string[] {
  const cached = references.get(limit);
  if (cached) return cached;
  const out = tmp.path(`local-${limit}.jsonl`);
  const r = safer([...sweepArgs(limit), '--out', out, '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  references.set(limit, withoutTimings(out));
  return references.get(limit) as string[];
}

/** Every output of the processes, for the check that no password shows. */
const everything = (processes: readonly SaferProcess[]): string => processes.map((p) => p.stdout + p.stderr).join('\n');

beforeAll(() => {
  reference(2000);
});

afterEach(killLeftovers);

afterAll(async () => {
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

describe('a queued sweep survives', () => {
  it.each([
    ['with its append-only file', true],
    ['without persistence: the sweep enqueues the lost jobs again', false],
  ])('Redis killed with kill -9 and restarted mid-sweep, %s', async (_, appendonly) => {
    const redis = await start({ appendonly });
    // The password in the URL this time: it must never be printed.
    const url = `redis://:${redis.password}@127.0.0.1:${redis.port}/0`;
    const env = { ...process.env };
    delete env['SAFER_REDIS_PASSWORD'];
    const workers = await startWorkers(2, url, env);
    const out = tmp.path(`restart-${appendonly}.jsonl`);
    const sweep = new SaferProcess([...sweepArgs(2000), '--queue', url, '--out', out, '--json'], env);
    await Promise.all(workers.map((w) => w.waitFor(/^done /)));
    expect(sweep.child.exitCode, 'the sweep is still running').toBeNull();
    await redis.restart();
    expect(await sweep.exited, sweep.stderr).toBe(0);
    expect(withoutTimings(out)).toEqual(reference(2000));
    expect(sweep.stderr).toMatch(/lost the connection to redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0/);
    if (!appendonly) expect(sweep.stderr).toMatch(/jobs of sweep \S+ were missing from Redis \(restarted without persistence\?\): enqueuing the \d+ unfinished jobs again/);
    const summary = JSON.parse(sweep.stdout) as { queue: string; rowsWritten: number };
    expect(summary).toMatchObject({ queue: `redis://:***@127.0.0.1:${redis.port}/0`, rowsWritten: JOBS });
    for (const w of workers) await w.stop();
    expect(everything([sweep, ...workers])).not.toContain(redis.password);
  });
});

describe('a job that fails on every attempt', () => {
  it('is reported with its error after --attempts, not retried forever, and retried when the sweep is enqueued again', async () => {
    const redis = await start();
    const url = redis.url(0);
    // A worker whose copy of the files holds another model under the same name.
    const copy = tmp.path('other-machine');
    mkdirSync(`${copy}/zoo/bundled`, { recursive: true });
    copyFileSync(`${ROOT}tests/fixtures/models/resnet-mini.onnx`, `${copy}/zoo/bundled/model.onnx`);
    for (const f of ['images.npy', 'labels.npy']) symlinkSync(`${ROOT}zoo/bundled/${f}`, `${copy}/zoo/bundled/${f}`);
    const [bad] = await startWorkers(1, url, redis.env, ['--root', copy]);
    const out = tmp.path('poisoned.jsonl');
    const args = [...sweepArgs(300), '--queue', url, '--out', out, '--attempts', '2'];
    const first = new SaferProcess(args, redis.env);
    expect(await first.exited).toBe(1);
    expect(first.stderr).toMatch(new RegExp(`^error: ${JOBS} jobs of sweep \\S+ failed after their attempts:$`, 'm'));
    expect(first.stderr).toMatch(/^ {2}conv1\.weight prune:0\.5 seed 0 \(job [0-9a-f]{12}, 2 attempts\): .*other-machine\/zoo\/bundled\/model\.onnx is not the sweep's model: its sha256 is [0-9a-f]{12}…, the sweep's [0-9a-f]{12}…/m);
    expect(first.stderr).toMatch(/^0 rows written to .*Fix what failed and run the same command again/m);
    expect(readFileSync(out, 'utf8')).toBe('');
    await bad!.stop();
    // Two attempts per job, then no more.
    expect(bad!.count(/^started /)).toBe(2 * JOBS);
    expect(bad!.count(/^attempt failed: /)).toBe(JOBS);
    expect(bad!.count(/^failed: /)).toBe(JOBS);

    const [good] = await startWorkers(1, url, redis.env);
    const second = new SaferProcess(args, redis.env);
    expect(await second.exited, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`${JOBS} jobs of this sweep had failed before: they are retried`));
    expect(withoutTimings(out)).toEqual(reference(300));
    await good!.stop();
    expect(good!.count(/^done /)).toBe(JOBS);
  });
});

describe('over TLS', () => {
  it('runs a sweep on rediss:// with the server certificate checked, and refuses it without the CA', async () => {
    const certs = tmp.path('certs');
    mkdirSync(certs);
    const redis = await start({ tls: makeCertificates(certs) });
    const url = redis.url(0);
    expect(url).toMatch(/^rediss:\/\//);
    const untrusted = new SaferProcess(['worker', '--queue', url], { ...redis.env, NODE_EXTRA_CA_CERTS: '' });
    expect(await untrusted.exited).toBe(1);
    expect(untrusted.stderr).toMatch(/^error: cannot use the queue at rediss:\/\/127\.0\.0\.1:\d+\/0: .*(self-signed|unable to verify|certificate)/m);
    const [w] = await startWorkers(1, url, redis.env);
    const out = tmp.path('tls.jsonl');
    const sweep = new SaferProcess([...sweepArgs(300), '--queue', url, '--out', out], redis.env);
    expect(await sweep.exited, sweep.stderr).toBe(0);
    expect(withoutTimings(out)).toEqual(reference(300));
    await w!.stop();
    expect(everything([sweep, w!, untrusted])).not.toContain(redis.password);
  });
});

describe('the queue refuses', () => {
  it('a Redis that may evict keys, and a wrong or missing password, without ever printing the password', async () => {
    const lru = await start({ maxmemoryPolicy: 'allkeys-lru' });
    for (const args of [['worker', '--queue', lru.url()], [...sweepArgs(100), '--queue', lru.url(), '--out', tmp.path('lru.jsonl')]]) {
      const r = new SaferProcess(args, lru.env);
      expect(await r.exited).toBe(1);
      expect(r.stderr).toMatch(/^error: the Redis at redis:\/\/127\.0\.0\.1:\d+\/0 has maxmemory-policy allkeys-lru: .* needs "noeviction"/m);
    }
    const redis = await start();
    const wrong = 'not-the-password-1b7';
    const inUrl = new SaferProcess(['worker', '--queue', `redis://:${wrong}@127.0.0.1:${redis.port}/0`], redis.env);
    const fromEnv = new SaferProcess(['worker', '--queue', redis.url()], { ...process.env, SAFER_REDIS_PASSWORD: wrong });
    const none = new SaferProcess(['worker', '--queue', redis.url()], { ...process.env, SAFER_REDIS_PASSWORD: '' });
    for (const p of [inUrl, fromEnv, none]) expect(await p.exited).toBe(1);
    expect(inUrl.stderr).toMatch(/^error: the Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0 refused the password/m);
    expect(fromEnv.stderr).toMatch(/^error: the Redis at redis:\/\/127\.0\.0\.1:\d+\/0 refused the password/m);
    expect(none.stderr).toMatch(/^error: the Redis at redis:\/\/127\.0\.0\.1:\d+\/0 needs a password: put it in SAFER_REDIS_PASSWORD/m);
    expect(everything([inUrl, fromEnv, none])).not.toContain(wrong);
    expect(safer(['worker']).stderr).toMatch(/^error: safer worker needs --queue/m);
    expect(safer([...sweepArgs(100), '--queue', 'http://x', '--out', tmp.path('x.jsonl')]).stderr).toMatch(/--queue must start with redis:\/\/ or rediss:\/\//);
  });
});
