/**
 * The queue tests' harness: a real redis-server (Debian's package) on a free loopback port, with a
 * password, killed after the tests; and the built `safer` run as separate processes (an enqueuer and
 * workers), whose stderr is followed line by line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';

export const REDIS_SERVER = '/usr/bin/redis-server';
const MAIN = `${ROOT}dist/cli/main.js`;

/** A port nobody listens on at the moment (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RedisOptions {
  /** Keep an append-only file (fsync every second, Redis's default), so that a restart keeps the data. */
  appendonly?: boolean;
  maxmemoryPolicy?: string;
  /** Serve TLS only (rediss://), with this certificate and key; clients need `ca` (NODE_EXTRA_CA_CERTS). */
  tls?: { cert: string; key: string; ca: string };
}

export class RedisServer {
  private process: ChildProcess | undefined;
  readonly password = `pw-${Math.random().toString(36).slice(2)}`;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisOptions,
  ) {}

  static async start(options: RedisOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'safer-redis-')), options);
    await server.launch();
    return server;
  }

  /** The queue URL of database `db`, without the password (the tests pass it in SAFER_REDIS_PASSWORD). */
  url(db = 0): string {
    return `${this.options.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}/${db}`;
  }

  /** The environment that carries the password. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, SAFER_REDIS_PASSWORD: this.password, ...(this.options.tls ? { NODE_EXTRA_CA_CERTS: this.options.tls.ca } : {}) };
  }

  /** Kills redis-server at once (kill -9: a crash, not a shutdown). */
  async kill(): Promise<void> {
    const p = this.process;
    this.process = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  /** Starts redis-server again on the same port and directory (and so the same append-only file). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A redis-cli command against this server; its output. */
  cli(...args: string[]): string {
    const r = spawnSync('redis-cli', [...this.cliArgs(), ...args], { encoding: 'utf8', env: { ...process.env, REDISCLI_AUTH: this.password } });
    if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  }

  private cliArgs(): string[] {
    const tls = this.options.tls ? ['--tls', '--cacert', this.options.tls.ca] : [];
    return ['-h', '127.0.0.1', '-p', String(this.port), ...tls];
  }

  private async launch(): Promise<void> {
    const { tls } = this.options;
    const ports = tls
      ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no']
      : ['--port', String(this.port)];
    const args = [
      ...ports, '--bind', '127.0.0.1', '--dir', this.dir, '--requirepass', this.password,
      '--save', '', '--appendonly', this.options.appendonly ? 'yes' : 'no',
      '--maxmemory-policy', this.options.maxmemoryPolicy ?? 'noeviction', '--daemonize', 'no', '--loglevel', 'warning',
    ];
    const p = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = p;
    let log = '';
    p.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    p.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (p.exitCode !== null) throw new Error(`redis-server exited: ${log}`);
      const ping = spawnSync('redis-cli', [...this.cliArgs(), 'ping'], { encoding: 'utf8', env: { ...process.env, REDISCLI_AUTH: this.password } });
      // "LOADING" while it reads the append-only file.
      if (ping.stdout.trim() === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port}: ${log}`);
      await sleep(50);
    }
  }
}

const started: SaferProcess[] = [];

/** Kills (kill -9) every `safer` process the tests started that still runs, and waits for them: after a failed test, nothing is left behind. */
export async function killLeftovers(): Promise<void> {
  const running = started.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  for (const p of running) {
    for (const child of childrenOf(p.pid)) process.kill(child, 'SIGKILL');
    p.child.kill('SIGKILL');
  }
  await Promise.all(running.map((p) => p.exited));
  started.length = 0;
}

/** A `safer` process, its output gathered; `lines` are stderr lines so far. */
export class SaferProcess {
  readonly lines: string[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly listeners: ((line: string) => void)[] = [];

  constructor(
    readonly args: readonly string[],
    env: NodeJS.ProcessEnv,
    readonly child: ChildProcess = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }),
  ) {
    let partial = '';
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      this.stderr += text;
      partial += text;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        this.lines.push(line);
        for (const l of this.listeners) l(line);
      }
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    started.push(this);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Resolves with the first stderr line (so far or to come) that matches. */
  waitFor(pattern: RegExp, timeoutMs = 60_000, fromNow = false): Promise<string> {
    const seen = fromNow ? undefined : this.lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms from safer ${this.args.join(' ')}:\n${this.stderr}`)), timeoutMs);
      this.listeners.push((line) => {
        if (pattern.test(line)) {
          clearTimeout(timer);
          resolve(line);
        }
      });
    });
  }

  /** Resolves with the next stderr line to come that matches. */
  next(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    return this.waitFor(pattern, timeoutMs, true);
  }

  /** Lines matching `pattern`. */
  count(pattern: RegExp): number {
    return this.lines.filter((l) => pattern.test(l)).length;
  }

  /** SIGTERM (a worker finishes its job in hand and stops), and the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** A certificate authority and a certificate for 127.0.0.1 signed by it, made with openssl in `dir`. */
export function makeCertificates(dir: string): { cert: string; key: string; ca: string } {
  const run = (...args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=safer test CA', '-days', '2');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.cnf');
  return { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: join(dir, 'ca.crt') };
}

/**
 * Starts `n` workers on `url` (one thread each, a 10 s lock that even a loaded machine hardly makes a live
 * worker lose: tests that count evaluations must see each job run once); each says when it takes jobs.
 */
export async function startWorkers(n: number, url: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []): Promise<SaferProcess[]> {
  const workers = Array.from({ length: n }, () => new SaferProcess(['worker', '--queue', url, '--threads', '1', '--lock', '10', ...extra], env));
  await Promise.all(workers.map((w) => w.waitFor(/^taking jobs from /)));
  return workers;
}

/** The child processes of `pid` (BullMQ's sandboxed processors of a worker). */
export function childrenOf(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((s) => s.trim() !== '').map(Number);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The lines of a results file with every row's timing (`seconds`) taken out: what must equal a local sweep's. */
export function withoutTimings(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => {
    const row = JSON.parse(l) as Record<string, unknown>;
    delete row['seconds'];
    return JSON.stringify(row);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
