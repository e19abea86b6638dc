/** The published data set: JSONL files of sweep rows, one per zoo model. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OptionError } from '../errors.js';
import type { SweepRow } from '../rows/row.js';
import { readRows } from '../rows/read.js';

/** The JSONL files named by `paths` (files, or folders whose *.jsonl files are taken, sorted). */
export function datasetFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      throw new OptionError(`${path}: no such file or folder; give the data set folder (e.g. zoo/dataset) or its .jsonl files`);
    }
    if (!isFolder) files.push(path);
    else files.push(...readdirSync(path).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(path, f)));
  }
  if (files.length === 0) throw new OptionError(`no .jsonl files in ${paths.join(', ')}`);
  return files;
}

export function readDatasetRows(paths: readonly string[]): SweepRow[] {
  return readRows(datasetFiles(paths)).rows;
}
