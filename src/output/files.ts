/**
 * Writing result files: checked before any work starts (so a bad --out fails in a second, not after
 * an hour of scoring), and written atomically (a temporary file renamed into place), so an
 * interrupted run never leaves half a file.
 */
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { OptionError } from '../errors.js';

function reason(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/**
 * Throws an OptionError unless `path` can be written as a file (created, or replaced). With
 * `createFolder`, a folder that does not exist yet is fine if it can be created (no file is in the way).
 */
export function checkWritableFile(path: string, what = 'output file', options: { createFolder?: boolean } = {}): void {
  if (options.createFolder && !existsSync(dirname(resolve(path)))) {
    checkCreatable(dirname(resolve(path)), path, what);
    return;
  }
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new OptionError(`${path}: is a folder; the ${what} must be a file path`);
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      throw new OptionError(`${path}: the ${what} cannot be written (${reason(e)})`);
    }
    return;
  }
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) throw new OptionError(`${path}: the folder ${folder} of the ${what} does not exist`);
  if (!statSync(folder).isDirectory()) throw new OptionError(`${path}: ${folder} is a file, not a folder; choose another path for the ${what}`);
  try {
    accessSync(folder, constants.W_OK);
  } catch (e) {
    throw new OptionError(`${path}: the ${what} cannot be created in ${folder} (${reason(e)})`);
  }
}

/** Throws unless `folder` (which does not exist) could be created: its nearest existing ancestor is a writable folder. */
function checkCreatable(folder: string, path: string, what: string): void {
  let ancestor = dirname(folder);
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  if (!statSync(ancestor).isDirectory()) throw new OptionError(`${path}: ${ancestor} is a file, not a folder; choose another path for the ${what}`);
  try {
    accessSync(ancestor, constants.W_OK);
  } catch (e) {
    throw new OptionError(`${path}: the ${what} cannot be created in ${ancestor} (${reason(e)})`);
  }
}

/** Creates `path` as a folder if needed; throws an OptionError if it is a file or cannot be written. */
export function ensureWritableFolder(path: string, what = 'output folder'): void {
  if (existsSync(path) && !statSync(path).isDirectory()) throw new OptionError(`${path}: is a file; the ${what} must be a folder (choose another --out)`);
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.W_OK);
  } catch (e) {
    throw new OptionError(`${path}: the ${what} cannot be written (${reason(e)})`);
  }
}

/** Writes `text` to `path` through a temporary file renamed into place. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the folder itself is gone or not a folder: there is no temporary file to remove
    }
    throw new OptionError(`${path}: cannot write (${reason(e)})`);
  }
}
