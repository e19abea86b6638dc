/**
 * How far the ground truth of one cell (one model × one perturbation level) can be trusted to rank
 * its layers: the drops d_l come with standard errors se_l (rows/uncertainty.ts), and where the
 * spread of the drops between layers is no larger than their noise, the measured ranking is itself
 * noise and no criterion can agree with it.
 *
 * Estimated by a parametric bootstrap of the measurement:
 * - signal: the classical reliability of the values, τ²/V with V the sample variance of the drops and
 *   τ² = max(0, V − mean(se²)) the variance left for true differences between layers;
 * - a stand-in truth t_l = d̄ + √signal·(d_l − d̄): the measured drops shrunk to the variance of the signal;
 * - re-measurements x_l = t_l + se_l·z_l, z ~ N(0, 1), `simulations` pairs of them;
 * - reliability = mean Spearman ρ between two re-measurements (test–retest of the ranking);
 * - ceiling = mean Spearman ρ between the stand-in truth and a re-measurement: what a criterion that
 *   knew the true ranking exactly would reach, in expectation, against a measured one.
 * On simulated cells with a known truth (tests/benchmark/reliability.test.ts) the ceiling is within
 * 0.06 of the realised ρ(truth, measurement) where the truth has signal; on pure noise it stays below
 * 0.2, so such a cell never passes a reliability threshold of 0.8.
 *
 * The errors of rows without paired counts are upper bounds (the changed-prediction bound): then the
 * estimate is a lower bound. Errors from the seed spread alone leave out the image noise: an upper bound.
 */
import { createRng } from '../perturb/index.js';
import type { UncertaintySource } from '../rows/uncertainty.js';
import { spearman } from './rank-metrics.js';

export const RELIABILITY_DEFAULTS = {
  /** Pairs of simulated re-measurements per cell. */
  simulations: 200,
  seed: 0,
  /** Cells below this reliability are left out of the benchmark's means (`--min-reliability`). */
  minReliability: 0.8,
} as const;

/** An estimate from paired errors; a lower bound (upper-bound errors); an upper bound (seed spread only). */
export type ReliabilityKind = 'estimate' | 'lower-bound' | 'upper-bound';

export interface CellReliability {
  /** Test–retest Spearman ρ of the ranking of layers, 0..1. */
  reliability: number;
  /** Expected ρ of the true ranking against the measured one, 0..1: no criterion is expected above it. */
  ceiling: number;
  /** τ²/V: the share of the drops' variance between layers that is not measurement noise. */
  signal: number;
  kind: ReliabilityKind;
  layers: number;
}

export interface MeasuredDrop {
  drop: number;
  /** Standard error of the drop; null when unknown. */
  se: number | null;
  seSource: UncertaintySource;
}

/** The kind of estimate that errors of these sources give, or null when some error is unknown. */
function kindOf(sources: ReadonlySet<UncertaintySource>): ReliabilityKind | null {
  if (sources.has('none')) return null;
  if (sources.size === 1 && sources.has('paired')) return 'estimate';
  if (!sources.has('seeds')) return 'lower-bound';
  if (sources.size === 1) return 'upper-bound';
  return null;
}

/** The reliability of one cell's ranking of layers (see the file comment); null below 3 layers or without errors. */
export function cellReliability(
  cells: readonly MeasuredDrop[],
  options: { simulations?: number; seed?: number } = {},
): CellReliability | null {
  const n = cells.length;
  if (n < 3 || cells.some((c) => c.se === null || !Number.isFinite(c.drop))) return null;
  const kind = kindOf(new Set(cells.map((c) => c.seSource)));
  if (kind === null) return null;
  const drops = cells.map((c) => c.drop);
  const errors = cells.map((c) => c.se as number);
  const mean = drops.reduce((a, b) => a + b, 0) / n;
  const variance = drops.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1);
  const noise = errors.reduce((a, e) => a + e * e, 0) / n;
  const signal = variance > 0 ? Math.max(0, 1 - noise / variance) : 0;
  if (signal === 0) return { reliability: 0, ceiling: 0, signal, kind, layers: n };
  const truth = drops.map((d) => mean + Math.sqrt(signal) * (d - mean));
  const rng = createRng(options.seed ?? RELIABILITY_DEFAULTS.seed);
  const simulations = options.simulations ?? RELIABILITY_DEFAULTS.simulations;
  const remeasure = () => truth.map((t, l) => t + (errors[l] as number) * rng.normal());
  let retest = 0;
  let ceiling = 0;
  for (let s = 0; s < simulations; s++) {
    const a = remeasure();
    const b = remeasure();
    retest += spearman(a, b) ?? 0;
    ceiling += spearman(truth, a) ?? 0;
  }
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return { reliability: clamp(retest / simulations), ceiling: clamp(ceiling / simulations), signal, kind, layers: n };
}
