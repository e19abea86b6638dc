/**
 * Shared state for scoring one prepared model with many criteria: the calibration batch, lazily
 * created sessions (weights as inputs for gradients and forward runs; the graph-cut engine for
 * per-layer perturbed logits), and a cost ledger that records forward and backward image-passes.
 * Each criterion gets a `CriterionContext` view of it (criterion-context.ts). Call `release()` at the end.
 */
import { ModelError, OptionError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { PreparedModel } from '../model/prepare.js';
import type { LabeledBatches } from '../runtime/evaluate.js';
import type { SessionOptions } from '../runtime/session.js';
import { loadSamples, type SampleBatch } from '../runtime/memory-batches.js';
import { CostLedger } from './cost.js';
import { CutLogits } from '../cut/cut-logits.js';
import { WeightedForward } from './forward.js';
import { CalibrationGradients, type GradientStatistics, type LossGradient } from './gradients.js';

export const SCORING_DEFAULTS = { calibration: 256, seed: 0, gradientBatch: 32, hutchinsonSamples: 32, integrationSteps: 16 } as const;

export interface ScoringOptions {
  /** Mini-batch size of the empirical Fisher (default 32). */
  gradientBatch?: number;
  /** Rademacher samples of Hutchinson's trace estimator (default 32). */
  hutchinsonSamples?: number;
  /** Integration points of integrated gradients (default 16, trapezoid rule). */
  integrationSteps?: number;
  /** Evaluation data; calibration uses its first `calibration` images. */
  data?: LabeledBatches;
  /** Calibration images (default 256). */
  calibration?: number;
  /** Seed of every random choice (default 0). */
  seed?: number;
  /** onnxruntime threads (default: all cores). */
  threads?: number;
}

/** The settings criteria read, defaults filled in. */
export interface ScoringSettings {
  readonly calibration: number;
  readonly seed: number;
  readonly gradientBatch: number;
  readonly hutchinsonSamples: number;
  readonly integrationSteps: number;
}

/** Forward runs on weights given as inputs; every call is counted in the cost ledger. */
export interface CountedForward {
  logits(images: Float32Array, count: number, values?: ReadonlyMap<string, Float32Array>): Promise<Float32Array>;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new OptionError(`${name} must be a positive integer, got ${value}`);
  return value;
}

export class ScoringSession {
  readonly ledger = new CostLedger();
  readonly settings: ScoringSettings;
  private readonly resources: { release(): Promise<void> }[] = [];
  private readonly layerByName: Map<string, Layer>;
  private readonly session: SessionOptions;

  constructor(
    readonly prepared: PreparedModel,
    private readonly data: LabeledBatches | undefined,
    options: ScoringOptions = {},
  ) {
    const seed = options.seed ?? SCORING_DEFAULTS.seed;
    if (!Number.isSafeInteger(seed)) throw new OptionError(`seed must be an integer, got ${seed}`);
    this.settings = {
      seed,
      calibration: positiveInteger('calibration size', options.calibration ?? SCORING_DEFAULTS.calibration),
      gradientBatch: positiveInteger('gradient batch size', options.gradientBatch ?? SCORING_DEFAULTS.gradientBatch),
      hutchinsonSamples: positiveInteger('Hutchinson samples', options.hutchinsonSamples ?? SCORING_DEFAULTS.hutchinsonSamples),
      integrationSteps: positiveInteger('integration steps', options.integrationSteps ?? SCORING_DEFAULTS.integrationSteps),
    };
    this.session = options.threads !== undefined ? { threads: options.threads } : {};
    this.layerByName = new Map(prepared.layers.map((l) => [l.name, l]));
  }

  get layers(): readonly Layer[] {
    return this.prepared.layers;
  }

  get source(): string {
    return this.prepared.source;
  }

  /** Calibration images actually used (null without data). */
  get calibrationCount(): number | null {
    return this.data ? Math.min(this.settings.calibration, this.data.count) : null;
  }

  layer(name: string): Layer {
    const layer = this.layerByName.get(name);
    if (!layer) throw new ModelError(`${this.source}: no layer named "${name}"`);
    return layer;
  }

  weight(layer: Layer): Float32Array {
    return this.float32(layer.name);
  }

  bias(layer: Layer): Float32Array | undefined {
    return layer.bias ? this.float32(layer.bias) : undefined;
  }

  private float32(name: string): Float32Array {
    const init = this.prepared.model.graph.initializers.get(name);
    if (!init || !(init.data instanceof Float32Array)) throw new ModelError(`${this.source}: initializer "${name}" is not float32`);
    return init.data;
  }

  calibration(): Promise<SampleBatch> {
    return this.ledger.shared('calibration', async () => {
      if (!this.data) throw new OptionError('this criterion needs calibration data: give --data (and --labels)');
      return loadSamples(this.data, this.settings.calibration);
    });
  }

  /** A counted forward runner over `prepared` (default: the model under study) with the layer weights as inputs. */
  async forwardRunner(key = 'model', prepared: PreparedModel = this.prepared): Promise<CountedForward> {
    const runner = await this.ledger.shared(`session:${key}`, async () => {
      const r = await WeightedForward.create(prepared, this.session);
      this.resources.push(r);
      return r;
    });
    return {
      logits: async (images, count, values) => {
        this.ledger.countForward(count);
        return runner.logits(images, count, values);
      },
    };
  }

  /** Logits of the calibration batch with `values` replacing stored weights or biases. */
  async calibrationLogits(values?: ReadonlyMap<string, Float32Array>): Promise<Float32Array> {
    const batch = await this.calibration();
    const runner = await this.forwardRunner();
    return runner.logits(batch.images, batch.count, values);
  }

  /**
   * Logits of the calibration batch with `values` replacing one layer's weight (and bias): only the
   * graph from that layer on is run, on cached upstream values (cut-logits.ts). Counted as one
   * forward pass of the calibration images.
   */
  async layerCalibrationLogits(layer: Layer, values: ReadonlyMap<string, Float32Array>, owner: string): Promise<Float32Array> {
    const batch = await this.calibration();
    const cut = await this.ledger.shared('cut-logits', async () => {
      const created = CutLogits.create(this.prepared, batch, this.session);
      this.resources.push(created);
      return created;
    });
    this.ledger.countForward(batch.count);
    return cut.logits(layer, values, owner);
  }

  /** The gradient runner over the calibration batch (weights and biases of every layer as inputs). */
  private async gradientSource(): Promise<CalibrationGradients> {
    const batch = await this.calibration();
    return this.ledger.shared('gradient-session', async () => {
      const g = await CalibrationGradients.create(this.prepared, batch, {
        ...this.session,
        onImages: (images) => {
          this.ledger.countForward(images);
          this.ledger.countBackward(images);
        },
      });
      this.resources.push(g);
      return g;
    });
  }

  /** Mean gradient and mini-batch Fisher diagonal on the calibration batch at the stored weights. */
  async gradientStatistics(): Promise<GradientStatistics> {
    const batchSize = this.settings.gradientBatch;
    return this.ledger.shared(`gradient-statistics:${batchSize}`, async () => (await this.gradientSource()).statistics(batchSize));
  }

  /** Mean loss and gradient on the calibration batch with `values` replacing stored weights or biases. */
  async gradientsAt(values: ReadonlyMap<string, Float32Array>): Promise<LossGradient> {
    return (await this.gradientSource()).at(values);
  }

  /** Per mini-batch (of the Fisher batch size) loss and gradient at the stored weights, with other labels. */
  async forEachBatchGradient(labels: Int32Array, visit: (batch: LossGradient) => void): Promise<{ batchSize: number }> {
    return (await this.gradientSource()).forEachBatch(this.settings.gradientBatch, labels, visit);
  }

  /** Logits of the unperturbed model on the calibration batch (count × classes). */
  async baseLogits(): Promise<Float32Array> {
    return this.ledger.shared('base-logits', () => this.calibrationLogits());
  }

  async release(): Promise<void> {
    for (const r of this.resources.splice(0)) await r.release();
  }
}
