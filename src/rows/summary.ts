/**
 * The one summary of sweep rows: per model (by model_sha256), perturbation and layer, the accuracy
 * drop averaged over seeds, with its spread.
 */
import { perturbationFamily } from '../perturb/index.js';
import { RowsError } from './errors.js';
import { readRows } from './read.js';
import type { SweepRow } from './row.js';
import { dropUncertainty, seedMeasurement, type UncertaintySource } from './uncertainty.js';

/** Mean, sample standard deviation (n − 1; 0 for one value) and count of some values. */
export function meanAndStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  const mean = n === 0 ? NaN : values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

export interface DropCell {
  /** Mean accuracy drop over seeds (fraction of 1; negative if the perturbation helped). */
  drop: number;
  /** Sample standard deviation of the drop over seeds (0 for one seed). */
  std: number;
  seeds: number;
  /** Mean loss increase over seeds; null if any seed's loss was not finite or not recorded. */
  lossIncrease: number | null;
  /** Mean KL divergence of the perturbed from the unperturbed softmax; null if any seed's was not finite. */
  kl: number | null;
  /** Standard error of `drop` (paired counts, their bound, or the seed spread; rows/uncertainty.ts); null when unknown. */
  se: number | null;
  seSource: UncertaintySource;
}

export interface PerturbationDrops {
  perturbation: string;
  /** Text before ':' (prune, prunec, quant, quantc, bitflip, bitflip8, noise). */
  family: string;
  /** Mean base accuracy over the rows (the sweep writes the same value on every row). */
  baseAccuracy: number;
  /** By layer, in the order the rows name them. */
  layers: Map<string, DropCell>;
}

export interface ModelDrops {
  modelSha256: string;
  /** Model path as the first row names it. */
  model: string;
  dataSha256: string;
  /** Layers in the order the rows name them. */
  layers: string[];
  /** By perturbation, in the order the rows name them. */
  perturbations: Map<string, PerturbationDrops>;
  /** Files the rows came from. */
  files: string[];
}

export interface DropTable {
  models: Map<string, ModelDrops>;
  /** Rows summarised. */
  rows: number;
  notes: string[];
}

/** Groups rows by model, perturbation and layer, and averages over seeds; `files[i]` is where rows[i] came from. */
export function tabulateRows(rows: readonly SweepRow[], files: readonly string[] = [], notes: readonly string[] = []): DropTable {
  const grouped = new Map<string, { model: ModelDrops; rows: Map<string, Map<string, SweepRow[]>> }>();
  rows.forEach((row, i) => {
    let entry = grouped.get(row.model_sha256);
    if (!entry) {
      entry = { model: { modelSha256: row.model_sha256, model: row.model, dataSha256: row.data_sha256, layers: [], perturbations: new Map(), files: [] }, rows: new Map() };
      grouped.set(row.model_sha256, entry);
    }
    const { model } = entry;
    const file = files[i];
    if (file !== undefined && !model.files.includes(file)) model.files.push(file);
    if (row.data_sha256 !== model.dataSha256) {
      throw new RowsError(
        `${model.files.join(', ') || 'rows'}: rows for model ${row.model_sha256.slice(0, 12)} (${row.model}) come from two evaluation sets ` +
          `(data_sha256 ${model.dataSha256.slice(0, 12)}… and ${row.data_sha256.slice(0, 12)}…); give the rows of one evaluation set per model`,
      );
    }
    if (!model.layers.includes(row.layer)) model.layers.push(row.layer);
    let byLayer = entry.rows.get(row.perturbation);
    if (!byLayer) entry.rows.set(row.perturbation, (byLayer = new Map()));
    byLayer.set(row.layer, [...(byLayer.get(row.layer) ?? []), row]);
  });
  const models = new Map<string, ModelDrops>();
  for (const [sha, { model, rows: byPerturbation }] of grouped) {
    for (const [perturbation, byLayer] of byPerturbation) {
      const all = [...byLayer.values()].flat();
      const layers = new Map([...byLayer].map(([layer, list]) => [layer, dropCell(list)] as const));
      model.perturbations.set(perturbation, {
        perturbation,
        family: perturbationFamily(perturbation),
        baseAccuracy: all.reduce((a, r) => a + r.base_accuracy, 0) / all.length,
        layers,
      });
    }
    models.set(sha, model);
  }
  return { models, rows: rows.length, notes: [...notes] };
}

/** The summary of one (layer, perturbation)'s rows, one per seed. */
export function dropCell(rows: readonly SweepRow[]): DropCell {
  const { mean, std, n } = meanAndStd(rows.map((r) => r.base_accuracy - r.accuracy));
  const increases = rows.map((r) => (r.loss !== null && Number.isFinite(r.base_loss) ? r.loss - r.base_loss : NaN));
  const lossIncrease = increases.every(Number.isFinite) ? meanAndStd(increases).mean : null;
  const kls = rows.map((r) => r.kl ?? NaN);
  const kl = kls.every(Number.isFinite) ? meanAndStd(kls).mean : null;
  const { se, source } = dropUncertainty(rows.map(seedMeasurement));
  return { drop: mean, std, seeds: n, lossIncrease, kl, se, seSource: source };
}

/** Reads results files (read.ts) and summarises their rows. */
export function readDropTable(paths: readonly string[]): DropTable {
  const read = readRows(paths);
  return tabulateRows(read.rows, read.files, read.notes);
}
