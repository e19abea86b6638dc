/**
 * One writer per results file: `<file>.lock`, created with O_EXCL, holds the writer's pid, host and
 * start time. A second writer is refused with a message naming the holder; a lock left by a process
 * that is no longer running on this host is taken over with a note. Locks are released by `release`,
 * and at the latest when the process exits (also through process.exit from a signal handler).
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { OptionError } from '../errors.js';

interface Holder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
}

const held = new Set<string>();
let exitHookInstalled = false;

export class ResultsLock {
  private constructor(readonly path: string) {}

  /**
   * Takes the lock of results file `file`. `note` hears of a stale lock taken over. Throws an
   * OptionError naming the holder if another running process (or this one) holds it.
   */
  static acquire(file: string, note?: (text: string) => void): ResultsLock {
    const path = `${file}.lock`;
    const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      if (create(path, me)) {
        // After a takeover, a second process may have removed the same stale lock and created its own:
        // whoever's record is in the file a moment later holds it.
        if (attempt > 0) {
          pause(50);
          const now = readHolder(path);
          if (typeof now !== 'object' || now.pid !== me.pid || now.host !== me.host || now.started !== me.started) {
            throw new OptionError(`${file}: another sweep took over the same stale lock ${path} at the same moment; use another --out`);
          }
        }
        held.add(path);
        installExitHook();
        return new ResultsLock(path);
      }
      const holder = readHolder(path) ?? (pause(100), readHolder(path)); // a holder may be writing its record
      if (holder === 'gone') continue; // released between our attempt and the read
      if (holder === undefined) {
        throw new OptionError(`${file} is locked by ${path}, which cannot be read; if no sweep is writing ${file}, remove ${path}`);
      }
      const what = `pid ${holder.pid} on ${holder.host}, since ${holder.started}`;
      if (holder.host !== me.host || isRunning(holder.pid) || held.has(path)) {
        throw new OptionError(`${file} is being written by another sweep (${what}; lock ${path}); wait for it to finish, or use another --out`);
      }
      rmSync(path, { force: true });
      note?.(`${file}: took over the lock of a sweep that is no longer running (${what})`);
    }
    throw new OptionError(`${file}: could not take the lock ${path}; another sweep is starting on the same file, use another --out`);
  }

  release(): void {
    if (!held.delete(this.path)) return;
    rmSync(this.path, { force: true });
  }
}

/** Creates the lock file with our holder record; false if it exists already. */
function create(path: string, me: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new OptionError(`${path}: cannot create the lock of the results file (${code ?? (e as Error).message})`);
  }
  try {
    writeSync(fd, JSON.stringify(me) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The holder recorded in a lock file; 'gone' if there is no file, undefined if it cannot be read. */
function readHolder(path: string): Holder | 'gone' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (Number.isSafeInteger(value.pid) && typeof value.host === 'string' && typeof value.started === 'string') return value as Holder;
  } catch {
    // a lock being written this instant, or not ours
  }
  return undefined;
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const path of held) rmSync(path, { force: true });
    held.clear();
  });
}
