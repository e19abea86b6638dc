/**
 * Reads ground-truth files written by the sweep (JSON Lines, one row per layer × perturbation × seed)
 * into: per model (model_sha256) × perturbation → per layer, the accuracy drop averaged over seeds.
 * A row's drop is base_accuracy − accuracy. Extra fields are ignored. A malformed line is an error
 * naming file and line; an exact repeat of (model, layer, perturbation, seed) keeps the last row.
 */
import { readFileSync } from 'node:fs';
import { formatPerturbation, parsePerturbation } from '../perturb/index.js';
import { BenchInputError } from './errors.js';

/** One sweep row, as the bench needs it. */
export interface TruthRow {
  layer: string;
  /** Perturbation text, normalised ("prune:.5" → "prune:0.5") when safer can parse it. */
  perturbation: string;
  seed: number;
  accuracy: number;
  baseAccuracy: number;
  loss: number | null;
  baseLoss: number | null;
  count: number | null;
  model: string;
  modelSha256: string;
  dataSha256: string | null;
}

export interface LayerTruth {
  /** Mean accuracy drop over seeds (fraction of 1; negative if the perturbation helped). */
  drop: number;
  /** Sample standard deviation of the drop over seeds (0 for one seed). */
  std: number;
  /** Number of seeds averaged. */
  seeds: number;
  /** Mean loss increase over seeds; null if any seed's loss was not finite or not recorded. */
  lossIncrease: number | null;
}

export interface PerturbationTruth {
  perturbation: string;
  /** Text before ':' (prune, prunec, quant, quantc, bitflip, bitflip8, noise). */
  family: string;
  /** Mean base accuracy over the rows (the sweep writes the same value on every row). */
  baseAccuracy: number;
  layers: Map<string, LayerTruth>;
}

export interface ModelTruth {
  modelSha256: string;
  /** Model path as the first row names it. */
  model: string;
  dataSha256: string | null;
  perturbations: Map<string, PerturbationTruth>;
  files: string[];
}

export interface TruthSet {
  models: Map<string, ModelTruth>;
  /** Rows read (after dropping exact repeats). */
  rows: number;
  notes: string[];
}

/** The family of a perturbation text: what comes before ':'. */
export function perturbationFamily(text: string): string {
  const colon = text.indexOf(':');
  return colon < 0 ? text : text.slice(0, colon);
}

function normalisePerturbation(text: string): string {
  try {
    return formatPerturbation(parsePerturbation(text).perturbation);
  } catch {
    return text.trim();
  }
}

type Json = Record<string, unknown>;

function field<T>(row: Json, name: string, where: string, check: (v: unknown) => v is T, what: string): T {
  const v = row[name];
  if (!check(v)) throw new BenchInputError(`${where}: field "${name}" must be ${what}, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isFraction = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isNumberOrNull = (v: unknown): v is number | null => v === null || v === undefined || typeof v === 'number';

/** Parses one JSONL line; `where` is "file:line" for messages. */
export function parseTruthRow(line: string, where: string): TruthRow {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new BenchInputError(`${where}: not valid JSON (${(e as Error).message}); each line of a ground-truth file is one JSON object`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BenchInputError(`${where}: expected a JSON object per line, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const row = value as Json;
  const optionalNumber = (name: string): number | null => {
    const v = field(row, name, where, isNumberOrNull, 'a number or null');
    return typeof v === 'number' ? v : null;
  };
  const dataSha = row.data_sha256;
  return {
    layer: field(row, 'layer', where, isString, 'a layer (weight initializer) name'),
    perturbation: normalisePerturbation(field(row, 'perturbation', where, isString, 'a perturbation such as "prune:0.5"')),
    seed: field(row, 'seed', where, isInteger, 'an integer'),
    accuracy: field(row, 'accuracy', where, isFraction, 'a number in [0, 1]'),
    baseAccuracy: field(row, 'base_accuracy', where, isFraction, 'a number in [0, 1]'),
    loss: optionalNumber('loss'),
    baseLoss: optionalNumber('base_loss'),
    count: optionalNumber('count'),
    model: typeof row.model === 'string' ? row.model : '',
    modelSha256: field(row, 'model_sha256', where, isString, 'the hex sha256 of the model file'),
    dataSha256: typeof dataSha === 'string' ? dataSha : null,
  };
}

/** Parses the text of one JSONL file (blank lines are skipped). */
export function parseTruthText(text: string, file: string): TruthRow[] {
  const rows: TruthRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    rows.push(parseTruthRow(line, `${file}:${i + 1}`));
  }
  return rows;
}

/** Reads and groups one or more ground-truth files. */
export function readTruthFiles(paths: readonly string[]): TruthSet {
  const sources: { file: string; rows: TruthRow[] }[] = [];
  for (const file of paths) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new BenchInputError(`${file}: cannot read ground-truth file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    sources.push({ file, rows: parseTruthText(text, file) });
  }
  return groupTruth(sources);
}

interface Accumulator {
  truth: ModelTruth;
  rows: Map<string, TruthRow>; // key: perturbation \0 layer \0 seed
}

/** Groups parsed rows by model, perturbation and layer; averages over seeds. */
export function groupTruth(sources: readonly { file: string; rows: readonly TruthRow[] }[]): TruthSet {
  const models = new Map<string, Accumulator>();
  let repeats = 0;
  for (const { file, rows } of sources) {
    for (const row of rows) {
      let acc = models.get(row.modelSha256);
      if (!acc) {
        acc = {
          truth: { modelSha256: row.modelSha256, model: row.model, dataSha256: row.dataSha256, perturbations: new Map(), files: [] },
          rows: new Map(),
        };
        models.set(row.modelSha256, acc);
      }
      if (!acc.truth.files.includes(file)) acc.truth.files.push(file);
      if (row.dataSha256 !== null && acc.truth.dataSha256 !== null && row.dataSha256 !== acc.truth.dataSha256) {
        throw new BenchInputError(
          `${acc.truth.files.join(', ')}: rows for model ${row.modelSha256.slice(0, 12)} (${row.model}) come from two evaluation sets ` +
            `(data_sha256 ${acc.truth.dataSha256.slice(0, 12)}… and ${row.dataSha256.slice(0, 12)}…); give the ground truth of one evaluation set per model`,
        );
      }
      acc.truth.dataSha256 ??= row.dataSha256;
      const key = `${row.perturbation}\0${row.layer}\0${row.seed}`;
      if (acc.rows.has(key)) repeats++;
      acc.rows.set(key, row);
    }
  }
  const notes: string[] = [];
  if (repeats > 0) notes.push(`${repeats} repeated row(s) (same model, layer, perturbation and seed) were read; the last of each was kept`);
  let total = 0;
  const out = new Map<string, ModelTruth>();
  for (const [sha, acc] of models) {
    total += acc.rows.size;
    const byPerturbation = new Map<string, TruthRow[]>();
    for (const row of acc.rows.values()) {
      const list = byPerturbation.get(row.perturbation);
      if (list) list.push(row);
      else byPerturbation.set(row.perturbation, [row]);
    }
    for (const [perturbation, rows] of byPerturbation) {
      acc.truth.perturbations.set(perturbation, summarise(perturbation, rows));
    }
    out.set(sha, acc.truth);
  }
  return { models: out, rows: total, notes };
}

function summarise(perturbation: string, rows: readonly TruthRow[]): PerturbationTruth {
  const byLayer = new Map<string, TruthRow[]>();
  for (const row of rows) {
    const list = byLayer.get(row.layer);
    if (list) list.push(row);
    else byLayer.set(row.layer, [row]);
  }
  const layers = new Map<string, LayerTruth>();
  for (const [layer, list] of byLayer) {
    const drops = list.map((r) => r.baseAccuracy - r.accuracy);
    const drop = drops.reduce((a, b) => a + b, 0) / drops.length;
    const variance = drops.length > 1 ? drops.reduce((a, d) => a + (d - drop) ** 2, 0) / (drops.length - 1) : 0;
    const lossIncreases = list.map((r) => (r.loss !== null && r.baseLoss !== null ? r.loss - r.baseLoss : NaN));
    const lossIncrease = lossIncreases.every(Number.isFinite) ? lossIncreases.reduce((a, b) => a + b, 0) / lossIncreases.length : null;
    layers.set(layer, { drop, std: Math.sqrt(variance), seeds: list.length, lossIncrease });
  }
  const baseAccuracy = rows.reduce((a, r) => a + r.baseAccuracy, 0) / rows.length;
  return { perturbation, family: perturbationFamily(perturbation), baseAccuracy, layers };
}
