/**
 * Runs criteria on one model and writes the score report that `safer bench` reads:
 * { version, model, model_sha256, data, data_sha256, calibration, seed, settings, layers,
 *   criteria: [{ name, id, title, family, perturbation, seconds, passes: {forward, backward}, scores: {layer: number|null}, details? }] }.
 * Scores are higher = more important; a score that is not finite is written as null. A criterion
 * that cannot be computed on this model (a SaferError, e.g. an op without a gradient rule) gets
 * all-null scores and an "error" message; the others still run.
 * seconds and passes are what the criterion costs alone (see cost.ts); passes count images.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EvalData } from '../data/index.js';
import { ModelLoadError, OptionError, SaferError } from '../errors.js';
import { requireLayers } from '../layers/discover.js';
import { withOwnBiases } from '../layers/own-biases.js';
import { loadModel } from '../onnx/model.js';
import type { Model } from '../onnx/ir.js';
import { freeBatchAxis } from '../model/free-batch.js';
import { ScoringSession, SCORING_DEFAULTS, type ScoringOptions } from './context.js';
import type { Cost } from './cost.js';
import { outputOf, type CriterionFamily, type CriterionOutput } from './criterion.js';
import type { CriterionInstance } from './index.js';

export const SCORE_REPORT_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export interface ScoredCriterion {
  name: string;
  id: string;
  title: string;
  family: CriterionFamily;
  /** The perturbation the instance models, if any. */
  perturbation: string | null;
  seconds: number;
  passes: { forward: number; backward: number };
  scores: Record<string, number | null>;
  details?: Record<string, unknown>;
  /** Why the criterion could not be computed (its scores are then all null). */
  error?: string;
}

export interface ScoreReport {
  version: string;
  model: string;
  model_sha256: string;
  data: string | null;
  data_sha256: string | null;
  /** Calibration images actually used (null without data). */
  calibration: number | null;
  seed: number;
  /** Settings of the data-driven criteria. */
  settings: { gradient_batch: number; hutchinson_samples: number; integration_steps: number };
  layers: string[];
  criteria: ScoredCriterion[];
}

export interface ScoreProgress {
  /** Called before each criterion runs. */
  onCriterion?: (name: string, index: number, total: number) => void;
}

/** Computes the criteria on a loaded model (in the order given). */
export async function scoreModel(
  stored: Model,
  instances: readonly CriterionInstance[],
  options: ScoringOptions & ScoreProgress = {},
): Promise<{ layers: string[]; criteria: ScoredCriterion[]; calibration: number | null }> {
  const source = options.source ?? 'model';
  // A bias shared by several layers (merged by the exporter) is copied, so that perturbing one layer changes only it.
  const model = withOwnBiases(stored, source);
  const needData = instances.filter((i) => i.criterion.needs.data);
  if (!options.data && needData.length > 0) {
    throw new OptionError(`criteria ${needData.map((i) => i.name).join(', ')} need calibration data: give --data (and --labels), or choose data-free criteria`);
  }
  const layers = requireLayers(model, undefined, source);
  const session = new ScoringSession(model, layers, options);
  const criteria: ScoredCriterion[] = [];
  try {
    for (const [index, instance] of instances.entries()) {
      options.onCriterion?.(instance.name, index, instances.length);
      const { criterion } = instance;
      const ctx = session.contextFor(instance.name, criterion.needs, instance.perturbation);
      let measured: { value: CriterionOutput; cost: Cost };
      try {
        measured = await session.ledger.measure(async () => outputOf(await criterion.compute(ctx)));
      } catch (e) {
        // Bad input or an unsupported model (an op without a gradient rule, say) fails this criterion only.
        if (!(e instanceof SaferError)) throw e;
        criteria.push({
          name: instance.name, id: criterion.id, title: criterion.title, family: criterion.family,
          perturbation: instance.perturbation?.text ?? null, seconds: 0, passes: { forward: 0, backward: 0 },
          scores: Object.fromEntries(layers.map((l) => [l.name, null])), error: e.message,
        });
        continue;
      }
      const { value, cost } = measured;
      const scores: Record<string, number | null> = {};
      for (const layer of layers) {
        const s = value.scores.get(layer.name);
        if (s === undefined) throw new Error(`internal error: criterion "${instance.name}" gave no score for layer "${layer.name}"`);
        scores[layer.name] = Number.isFinite(s) ? s : null;
      }
      const scored: ScoredCriterion = {
        name: instance.name,
        id: criterion.id,
        title: criterion.title,
        family: criterion.family,
        perturbation: instance.perturbation?.text ?? null,
        seconds: cost.seconds,
        passes: { forward: cost.forward, backward: cost.backward },
        scores,
      };
      if (value.details) scored.details = { ...value.details };
      criteria.push(scored);
    }
  } finally {
    await session.release();
  }
  const calibration = options.data ? Math.min(session.calibrationSize, options.data.count) : null;
  return { layers: layers.map((l) => l.name), criteria, calibration };
}

/** sha256 (hex) of a file's bytes: how score reports and ground truth name a model. */
export function fileSha256(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch (e) {
    throw new ModelLoadError(`${path}: cannot read model file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Loads a model file, scores it, and returns the report `safer bench` reads. */
export async function scoreModelFile(
  path: string,
  instances: readonly CriterionInstance[],
  options: Omit<ScoringOptions, 'data' | 'source'> & ScoreProgress & { data?: EvalData } = {},
): Promise<ScoreReport> {
  const { data, ...rest } = options;
  const loaded = loadModel(path);
  const { model } = data ? await freeBatchAxis(loaded, data.sampleShape, path) : { model: loaded };
  const result = await scoreModel(model, instances, { ...rest, ...(data ? { data } : {}), source: path });
  return {
    version: SCORE_REPORT_VERSION,
    model: path,
    model_sha256: fileSha256(path),
    data: data?.description ?? null,
    data_sha256: data ? await data.fingerprint() : null,
    calibration: result.calibration,
    seed: options.seed ?? SCORING_DEFAULTS.seed,
    settings: {
      gradient_batch: options.gradientBatch ?? SCORING_DEFAULTS.gradientBatch,
      hutchinson_samples: options.hutchinsonSamples ?? SCORING_DEFAULTS.hutchinsonSamples,
      integration_steps: options.integrationSteps ?? SCORING_DEFAULTS.integrationSteps,
    },
    layers: result.layers,
    criteria: result.criteria,
  };
}
