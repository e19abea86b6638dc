/**
 * `safer dataset verify`: re-measures a random sample of data-set rows.
 * Every row is re-run with its own seed and must reproduce its accuracy
 * exactly (same number of correct images). A stochastic row is also run with
 * a fresh seed, whose drop should fall within the 95% prediction interval of
 * the recorded seeds of that (model, layer, perturbation):
 *   mean ± t(0.975, n−1) · s · sqrt(1 + 1/n), widened by one image either side.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelLoadError, OptionError } from '../errors.js';
import { prepareModelFile, type PreparedModel } from '../model/prepare.js';
import { createRng, isStochastic, parsePerturbation } from '../perturb/index.js';
import { readRows } from '../rows/read.js';
import type { SweepRow } from '../rows/row.js';
import { meanAndStd } from '../rows/summary.js';
import { studentT975 } from '../stats/intervals.js';
import type { SweepData } from '../sweep/options.js';
import { runSweep } from '../sweep/run.js';

/** Seed offset of the fresh draws (far from the seeds a sweep uses). */
const FRESH_SEED_OFFSET = 1_000_000;

export interface VerifiedRow {
  model: string;
  layer: string;
  perturbation: string;
  seed: number;
  recordedAccuracy: number;
  measuredAccuracy: number;
  /** Same seed, same number of correct images. */
  reproduced: boolean;
  fresh?: { seed: number; drop: number; interval: [number, number] | null; within: boolean | null };
}

export interface VerifyReport {
  sampled: number;
  reproduced: number;
  freshChecked: number;
  freshWithin: number;
  rows: VerifiedRow[];
  seconds: number;
}

export interface VerifyOptions {
  rows: readonly SweepRow[];
  sample: number;
  seed: number;
  /** Opens the evaluation data for a model's rows (checked against their data_sha256). */
  openData: () => Promise<SweepData>;
  version: string;
  onProgress?: (done: number, total: number) => void;
}

export async function verifyDataset(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const chosen = sampleRows(options.rows, options.sample, options.seed);
  const byModel = new Map<string, SweepRow[]>();
  for (const row of chosen) byModel.set(row.model, [...(byModel.get(row.model) ?? []), row]);
  const data = await options.openData();
  const dataSha = await data.fingerprint();
  const verified: VerifiedRow[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'safer-verify-'));
  try {
    for (const [[modelPath, rows], index] of [...byModel].map((entry, i) => [entry, i] as const)) {
      const prepared = await prepareRowsModel(modelPath, data);
      checkIdentity(prepared, rows, dataSha, data.description);
      const jobs = rows.flatMap((r) => [
        { layer: r.layer, perturbation: r.perturbation, seed: r.seed },
        ...(isStochastic(parsePerturbation(r.perturbation).perturbation) ? [{ layer: r.layer, perturbation: r.perturbation, seed: FRESH_SEED_OFFSET + r.seed }] : []),
      ]);
      const out = join(scratch, `model-${index}.jsonl`);
      await runSweep({
        prepared,
        data,
        perturbations: [...new Set(rows.map((r) => r.perturbation))].map((t) => parsePerturbation(t)),
        only: jobs,
        out,
        version: options.version,
        onProgress: (p) => options.onProgress?.(verified.length + p.done / 2, chosen.length),
      });
      const measured = readRows([out]).rows;
      const find = (r: { layer: string; perturbation: string }, seed: number): SweepRow | undefined =>
        measured.find((m) => m.layer === r.layer && m.perturbation === r.perturbation && m.seed === seed);
      for (const row of rows) {
        const again = find(row, row.seed) as SweepRow;
        const result: VerifiedRow = {
          model: modelPath, layer: row.layer, perturbation: row.perturbation, seed: row.seed,
          recordedAccuracy: row.accuracy, measuredAccuracy: again.accuracy, reproduced: again.correct === row.correct,
        };
        const fresh = find(row, FRESH_SEED_OFFSET + row.seed);
        if (fresh) {
          const group = options.rows.filter((r) => r.model_sha256 === row.model_sha256 && r.layer === row.layer && r.perturbation === row.perturbation);
          const interval = predictionInterval(group.map((r) => r.drop), 1 / row.count);
          result.fresh = {
            seed: fresh.seed,
            drop: fresh.drop,
            interval,
            within: interval ? fresh.drop >= interval[0] && fresh.drop <= interval[1] : null,
          };
        }
        verified.push(result);
        options.onProgress?.(verified.length, chosen.length);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const freshRows = verified.filter((v) => v.fresh && v.fresh.within !== null);
  return {
    sampled: verified.length,
    reproduced: verified.filter((v) => v.reproduced).length,
    freshChecked: freshRows.length,
    freshWithin: freshRows.filter((v) => v.fresh?.within).length,
    rows: verified,
    seconds: (performance.now() - started) / 1000,
  };
}

async function prepareRowsModel(modelPath: string, data: SweepData): Promise<PreparedModel> {
  try {
    return await prepareModelFile(modelPath, { sampleShape: data.sampleShape, samples: data.description });
  } catch (e) {
    if (e instanceof ModelLoadError && !existsSync(modelPath)) {
      throw new OptionError(`${modelPath}: the model of these rows is missing (run from the repository root, where the rows' model paths are relative to)`);
    }
    throw e;
  }
}

function checkIdentity(prepared: PreparedModel, rows: readonly SweepRow[], dataSha: string, dataDescription: string): void {
  const row = rows[0] as SweepRow;
  const { sha256: sha, source } = prepared;
  if (sha !== row.model_sha256) throw new OptionError(`${source}: the file changed since the rows were measured (sha256 ${sha.slice(0, 12)}…, rows say ${row.model_sha256.slice(0, 12)}…)`);
  if (dataSha !== row.data_sha256) {
    throw new OptionError(`${dataDescription}: not the data the rows of ${source} were measured on (sha256 ${dataSha.slice(0, 12)}…, rows say ${row.data_sha256.slice(0, 12)}…); give the same --data, --labels and preprocessing`);
  }
}

/** A seeded sample of `n` rows without replacement (all if fewer). */
export function sampleRows<T>(rows: readonly T[], n: number, seed: number): T[] {
  const copy = [...rows];
  const rng = createRng(seed);
  const take = Math.min(n, copy.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(rng.nextFloat() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, take);
}

/** 95% prediction interval for one more draw, widened by `resolution` either side; null with fewer than 2 values. */
export function predictionInterval(values: readonly number[], resolution: number): [number, number] | null {
  const { mean, std: s, n } = meanAndStd(values);
  if (n < 2) return null;
  const t = studentT975(n - 1);
  const half = t * s * Math.sqrt(1 + 1 / n) + resolution;
  return [mean - half, mean + half];
}
