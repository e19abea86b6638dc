/**
 * Runs criteria on one model and writes the score report that `safer bench` reads:
 * { version, model, model_sha256, data, data_sha256, calibration, seed, settings, layers,
 *   criteria: [{ name, id, title, family, perturbation, seconds, passes: {forward, backward}, scores: {layer: number|null}, details? }] }.
 * Scores are higher = more important; a score that is not finite is written as null. A criterion
 * that cannot be computed on this model (a SaferError, e.g. an op without a gradient rule) gets
 * all-null scores and an "error" message; the others still run.
 * seconds and passes are what the criterion costs alone (see cost.ts); passes count images.
 */
import { assert, OptionError, SaferError } from '../errors.js';
import type { PreparedModel } from '../model/prepare.js';
import type { LabeledBatches } from '../runtime/evaluate.js';
import { VERSION } from '../version.js';
import type { Cost } from './cost.js';
import { outputOf, type CriterionFamily, type CriterionOutput } from './criterion.js';
import { CriterionContext } from './criterion-context.js';
import type { CriterionInstance } from './index.js';
import { ScoringSession, type ScoringOptions } from './scoring-session.js';


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
  /** `safer score --for`: the perturbation this result answers for (the recommended criterion, instanced at it). */
  for?: string;
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

/** Computes the criteria on a prepared model (in the order given) and returns the report `safer bench` reads. */
export async function scoreModel(
  prepared: PreparedModel,
  instances: readonly CriterionInstance[],
  options: Omit<ScoringOptions, 'data'> & ScoreProgress & { data?: LabeledBatches & { fingerprint?: () => Promise<string> } } = {},
): Promise<ScoreReport> {
  const { data } = options;
  const needData = instances.filter((i) => i.criterion.needs.data);
  if (!data && needData.length > 0) {
    throw new OptionError(`criteria ${needData.map((i) => i.name).join(', ')} need calibration data: give --data (and --labels), or choose data-free criteria`);
  }
  const session = new ScoringSession(prepared, data, options);
  const { layers } = prepared;
  const criteria: ScoredCriterion[] = [];
  try {
    for (const [index, instance] of instances.entries()) {
      options.onCriterion?.(instance.name, index, instances.length);
      const { criterion } = instance;
      const ctx = new CriterionContext(session, instance.name, criterion.needs, instance.perturbation);
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
        assert(s !== undefined, () => `criterion "${instance.name}" gave no score for layer "${layer.name}"`);
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
  const { settings } = session;
  return {
    version: VERSION,
    model: prepared.source,
    model_sha256: prepared.sha256,
    data: data?.description ?? null,
    data_sha256: data?.fingerprint ? await data.fingerprint() : null,
    calibration: session.calibrationCount,
    seed: settings.seed,
    settings: { gradient_batch: settings.gradientBatch, hutchinson_samples: settings.hutchinsonSamples, integration_steps: settings.integrationSteps },
    layers: layers.map((l) => l.name),
    criteria,
  };
}
