import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { ResultsLock } from '../../src/rows/lock.js';
import { ResultsFile } from '../../src/rows/results-file.js';
import { makeTmp } from '../data/helpers.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('results file lock', () => {
  it('holds pid, host and start time, refuses a second writer naming the holder, and is removed on release', () => {
    const file = tmp.path('a.jsonl');
    const lock = ResultsLock.acquire(file);
    const holder = JSON.parse(readFileSync(`${file}.lock`, 'utf8')) as { pid: number; host: string; started: string };
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Date.parse(holder.started)).toBeGreaterThan(Date.now() - 60_000);
    expect(() => ResultsLock.acquire(file)).toThrow(OptionError);
    expect(() => ResultsLock.acquire(file)).toThrow(
      new RegExp(`a\\.jsonl is being written by another sweep \\(pid ${process.pid} on ${hostname()}, since .*; lock .*a\\.jsonl\\.lock\\); wait for it to finish, or use another --out$`),
    );
    lock.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
    ResultsLock.acquire(file).release();
  });

  it('takes over the lock of a process no longer running on this host, with a note', () => {
    const file = tmp.path('stale.jsonl');
    const pid = deadPid();
    writeFileSync(`${file}.lock`, JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const notes: string[] = [];
    const lock = ResultsLock.acquire(file, (n) => notes.push(n));
    expect(notes).toEqual([`${file}: took over the lock of a sweep that is no longer running (pid ${pid} on ${hostname()}, since 2026-01-01T00:00:00.000Z)`]);
    expect((JSON.parse(readFileSync(`${file}.lock`, 'utf8')) as { pid: number }).pid).toBe(process.pid);
    lock.release();
  });

  it('refuses a lock held on another host (its pid cannot be checked) and a lock it cannot read', () => {
    const file = tmp.path('other.jsonl');
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid(), host: 'elsewhere', started: '2026-01-01T00:00:00.000Z' }));
    expect(() => ResultsLock.acquire(file)).toThrow(/other\.jsonl is being written by another sweep \(pid \d+ on elsewhere/);
    writeFileSync(`${file}.lock`, 'not a lock');
    expect(() => ResultsLock.acquire(file)).toThrow(/other\.jsonl is locked by .*other\.jsonl\.lock, which cannot be read; if no sweep is writing .*, remove/);
  });

  it('is taken by ResultsFile.open and released by close, also when opening fails', () => {
    const file = tmp.path('rows.jsonl');
    const identity = { model_sha256: 'a'.repeat(64), data_sha256: 'b'.repeat(64) };
    const { file: results } = ResultsFile.open(file, identity);
    expect(() => ResultsFile.open(file, identity)).toThrow(/is being written by another sweep/);
    results.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    writeFileSync(file, 'not json\n');
    expect(() => ResultsFile.open(file, identity)).toThrow(/not written by safer sweep/);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('is removed when the process exits without releasing it', () => {
    const file = tmp.path('exit.jsonl');
    const script = `import('${new URL('../../dist/rows/lock.js', import.meta.url).href}').then(({ ResultsLock }) => { ResultsLock.acquire(${JSON.stringify(file)}); process.exit(3); });`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(3);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
