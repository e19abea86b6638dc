/** Reading sweep results back: rows → mean accuracy drop per (layer, perturbation) over seeds. */
import { readFileSync } from 'node:fs';
import { OptionError } from '../errors.js';
import type { SweepRow } from './run.js';

export interface DropCell {
  /** Mean accuracy drop over seeds (fraction). */
  mean: number;
  /** Sample standard deviation over seeds (0 for one seed). */
  std: number;
  seeds: number;
}

export interface SweepTable {
  layers: string[];
  perturbations: string[];
  /** cells[layer][perturbation] */
  cells: Map<string, Map<string, DropCell>>;
  baseAccuracy: number;
  rows: number;
}

export function readSweepRows(path: string): SweepRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new OptionError(`${path}: cannot read sweep results (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const rows: SweepRow[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      rows.push(JSON.parse(line) as SweepRow);
    } catch {
      if (i === text.split('\n').length - 1) return; // a half-written last line of a running sweep
      throw new OptionError(`${path}:${i + 1}: not a JSON line`);
    }
  });
  return rows;
}

export function tabulate(rows: readonly SweepRow[]): SweepTable {
  const layers: string[] = [];
  const perturbations: string[] = [];
  const drops = new Map<string, Map<string, number[]>>();
  for (const row of rows) {
    if (!layers.includes(row.layer)) layers.push(row.layer);
    if (!perturbations.includes(row.perturbation)) perturbations.push(row.perturbation);
    let byPerturbation = drops.get(row.layer);
    if (!byPerturbation) drops.set(row.layer, (byPerturbation = new Map()));
    const list = byPerturbation.get(row.perturbation) ?? [];
    list.push(row.base_accuracy - row.accuracy);
    byPerturbation.set(row.perturbation, list);
  }
  const cells = new Map<string, Map<string, DropCell>>();
  for (const [layer, byPerturbation] of drops) {
    cells.set(layer, new Map([...byPerturbation].map(([p, list]) => [p, summarize(list)])));
  }
  return { layers, perturbations, cells, baseAccuracy: rows[0]?.base_accuracy ?? NaN, rows: rows.length };
}

function summarize(values: readonly number[]): DropCell {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), seeds: n };
}
