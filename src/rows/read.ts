/**
 * The one reader of results files. Policy, the same for every caller: a torn last line (a sweep
 * still writing, or killed mid-write) is left out with a note; a malformed line elsewhere is an
 * error naming file and line; rows repeating (model, layer, perturbation, seed) — two sweeps that
 * wrote one file at once, say — are dropped with a note, the last one kept; perturbation texts are
 * read in their canonical form ("prune:.5" is "prune:0.5").
 */
import { readFileSync } from 'node:fs';
import { canonicalPerturbationText } from '../perturb/index.js';
import { RowsError } from './errors.js';
import { parseRowsText } from './parse.js';
import { rowKey, type SweepRow } from './row.js';

export interface ReadRows {
  rows: SweepRow[];
  /** For each row, the file it came from. */
  files: string[];
  /** What was left out, and why. */
  notes: string[];
}

/** Reads and merges results files. */
export function readRows(paths: readonly string[]): ReadRows {
  const byKey = new Map<string, { row: SweepRow; file: string }>();
  const notes: string[] = [];
  let repeats = 0;
  for (const file of paths) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new RowsError(`${file}: cannot read results file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const { rows, torn } = parseRowsText(text, file);
    if (torn !== undefined) notes.push(`${file}: left out a half-written last line (${Buffer.byteLength(torn)} bytes)`);
    for (const parsed of rows) {
      const row = { ...parsed, perturbation: canonicalPerturbationText(parsed.perturbation) };
      const key = `${row.model_sha256}\u0000${rowKey(row)}`;
      if (byKey.has(key)) {
        repeats++;
        byKey.delete(key);
      }
      byKey.set(key, { row, file });
    }
  }
  if (repeats > 0) notes.push(`${repeats} repeated row(s) (same model, layer, perturbation and seed) were read; the last of each was kept`);
  const kept = [...byKey.values()];
  return { rows: kept.map((k) => k.row), files: kept.map((k) => k.file), notes };
}
