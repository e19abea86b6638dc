/**
 * Append-only JSONL results that survive being killed at any moment.
 * Each row is one write() of a whole line; on reopening, a half-written last
 * line (a kill -9 mid-write) is cut off, and the rows already there are
 * reported so that the run skips them. Rows from another model or data set
 * are refused rather than mixed.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { OptionError } from '../errors.js';
import { canonicalPerturbationText } from '../perturb/index.js';
import { RowsError } from './errors.js';
import { ResultsLock } from './lock.js';
import { parseRowsText } from './parse.js';
import { rowKey, type SweepRow } from './row.js';

export interface RowIdentity {
  readonly model_sha256: string;
  readonly data_sha256: string;
}

export interface OpenedResults {
  /** Keys of the rows already in the file. */
  readonly done: ReadonlySet<string>;
  /** Bytes of a half-written last line that were removed, 0 if none. */
  readonly repairedBytes: number;
  readonly rowsFound: number;
}

export class ResultsFile {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly lock: ResultsLock,
  ) {
    this.fd = fd;
  }

  /**
   * Takes the file's lock (lock.ts: one writer at a time), opens (creating if needed) `path`,
   * repairs a torn last line, and returns the keys (rowKey, perturbation texts canonical) of complete
   * rows. Rows whose identity differs from `identity` are an error. `note` hears of a stale lock taken over.
   */
  static open(path: string, identity: RowIdentity, note?: (text: string) => void): { file: ResultsFile } & OpenedResults {
    const lock = ResultsLock.acquire(path, note);
    try {
      return ResultsFile.openLocked(path, identity, lock);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  private static openLocked(path: string, identity: RowIdentity, lock: ResultsLock): { file: ResultsFile } & OpenedResults {
    let text = '';
    if (existsSync(path)) {
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new OptionError(`${path}: cannot read the results file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    const lastNewline = text.lastIndexOf('\n');
    const complete = text.slice(0, lastNewline + 1);
    const repairedBytes = Buffer.byteLength(text) - Buffer.byteLength(complete);
    let rows: SweepRow[];
    let lines: number[];
    try {
      ({ rows, lines } = parseRowsText(complete, path));
    } catch (e) {
      if (!(e instanceof RowsError)) throw e;
      throw new OptionError(`${e.message}; this file was not written by safer sweep (choose another --out)`);
    }
    const done = new Set<string>();
    rows.forEach((row, i) => {
      if (row.model_sha256 !== identity.model_sha256 || row.data_sha256 !== identity.data_sha256) {
        throw new OptionError(
          `${path}:${lines[i]}: holds results for another model or data set (sha256 ${row.model_sha256.slice(0, 12)}…/${row.data_sha256.slice(0, 12)}…); ` +
            'use another --out file for this model and data',
        );
      }
      done.add(rowKey({ ...row, perturbation: canonicalPerturbationText(row.perturbation) }));
    });
    const rowsFound = done.size;
    let fd: number;
    try {
      fd = openSync(path, 'a+');
    } catch (e) {
      throw new OptionError(`${path}: cannot open the results file for writing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (repairedBytes > 0) {
      ftruncateSync(fd, Buffer.byteLength(complete));
      fsyncSync(fd);
    }
    return { file: new ResultsFile(path, fd, lock), done, repairedBytes, rowsFound };
  }

  /** Appends one row as one line with a single write, then syncs it to disk. */
  append(row: SweepRow): void {
    if (this.fd === undefined) throw new Error(`internal: ${this.path} is closed`);
    const line = Buffer.from(JSON.stringify(row) + '\n');
    let written = 0;
    while (written < line.length) written += writeSync(this.fd, line, written, line.length - written);
    fsyncSync(this.fd);
  }

  /** Closes the file and releases its lock. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.lock.release();
  }
}
