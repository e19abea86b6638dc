/**
 * What a criterion sees of the model under study: its layers and their weights, the calibration
 * batch, lazily computed shared things (base logits, a session with the weights as inputs), a seeded
 * rng, and a cost ledger that records forward and backward image-passes. One `ScoringSession` per
 * model; each criterion gets a `CriterionContext` view of it that enforces the criterion's `needs`.
 */
import { createHash } from 'node:crypto';
import { ModelError, OptionError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { Model } from '../onnx/ir.js';
import { applyPerturbation, createRng, type PerturbationSpec, type PerturbResult, type PerturbTarget, type Rng } from '../perturb/index.js';
import type { LabeledBatches } from '../runtime/evaluate.js';
import { staticSampleShape } from '../model/probe.js';
import type { SessionOptions } from '../runtime/session.js';
import { CostLedger } from './cost.js';
import type { CriterionNeeds } from './criterion.js';
import { CutLogits } from './cut-logits.js';
import { WeightedForward } from './forward.js';
import { CalibrationGradients, type GradientStatistics, type LossGradient } from './gradients.js';

/** The first `count` images of the evaluation set, used by every data-driven criterion. */
export interface CalibrationBatch {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  sampleShape: readonly number[];
}

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
  /** Name of the model in messages. */
  source?: string;
}

export const SCORING_DEFAULTS = { calibration: 256, seed: 0, gradientBatch: 32, hutchinsonSamples: 32, integrationSteps: 16 } as const;

/** Forward runs on weights given as inputs; every call is counted in the cost ledger. */
export interface CountedForward {
  logits(images: Float32Array, count: number, sampleShape: readonly number[], values?: ReadonlyMap<string, Float32Array>): Promise<Float32Array>;
}

/** Shared state for scoring one model with many criteria. Call `release()` at the end. */
export class ScoringSession {
  readonly ledger = new CostLedger();
  readonly seed: number;
  readonly calibrationSize: number;
  private readonly resources: { release(): Promise<void> }[] = [];
  private readonly layerByName: Map<string, Layer>;

  constructor(
    readonly model: Model,
    readonly layers: readonly Layer[],
    readonly options: ScoringOptions = {},
  ) {
    this.seed = options.seed ?? SCORING_DEFAULTS.seed;
    this.calibrationSize = options.calibration ?? SCORING_DEFAULTS.calibration;
    if (!Number.isSafeInteger(this.seed)) throw new OptionError(`seed must be an integer, got ${this.seed}`);
    if (!Number.isInteger(this.calibrationSize) || this.calibrationSize < 1) {
      throw new OptionError(`calibration size must be a positive integer, got ${this.calibrationSize}`);
    }
    this.layerByName = new Map(layers.map((l) => [l.name, l]));
  }

  get source(): string {
    return this.options.source ?? 'model';
  }

  get hasData(): boolean {
    return this.options.data !== undefined;
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
    const init = this.model.graph.initializers.get(name);
    if (!init || !(init.data instanceof Float32Array)) throw new ModelError(`${this.source}: initializer "${name}" is not float32`);
    return init.data;
  }

  /** Shape of one sample: from the data if given, else from the model's input. */
  sampleShape(): readonly number[] {
    if (this.options.data) return this.options.data.sampleShape;
    const shape = staticSampleShape(this.model);
    if (!shape) throw new OptionError(`${this.source}: the model input has no fixed sample shape; give --data so safer knows the input size`);
    return shape;
  }

  async calibration(): Promise<CalibrationBatch> {
    return this.ledger.shared('calibration', async () => {
      const data = this.options.data;
      if (!data) throw new OptionError('this criterion needs calibration data: give --data (and --labels)');
      const count = Math.min(this.calibrationSize, data.count);
      const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
      const images = new Float32Array(count * sampleSize);
      const labels = new Int32Array(count);
      for await (const batch of data.batches(count, { start: 0, end: count })) {
        images.set(batch.images.subarray(0, batch.count * sampleSize), batch.start * sampleSize);
        labels.set(batch.labels.subarray(0, batch.count), batch.start);
      }
      return { images, labels, count, sampleShape: data.sampleShape };
    });
  }

  /** onnxruntime options of every session the criteria create (--threads). */
  private sessionOptions(): SessionOptions {
    return this.options.threads !== undefined ? { threads: this.options.threads } : {};
  }

  /** A counted forward runner over `model` (default: the model under study) with the layer weights as inputs. */
  async forwardRunner(key = 'model', model: Model = this.model): Promise<CountedForward> {
    const runner = await this.ledger.shared(`session:${key}`, async () => {
      const r = await WeightedForward.create(model, this.layers, this.source, this.sessionOptions());
      this.resources.push(r);
      return r;
    });
    return {
      logits: async (images, count, sampleShape, values) => {
        this.ledger.countForward(count);
        return runner.logits(images, count, sampleShape, values);
      },
    };
  }

  /** Logits of the calibration batch with `values` replacing stored weights or biases. */
  async calibrationLogits(values?: ReadonlyMap<string, Float32Array>): Promise<Float32Array> {
    const batch = await this.calibration();
    const runner = await this.forwardRunner();
    return runner.logits(batch.images, batch.count, batch.sampleShape, values);
  }

  /**
   * Logits of the calibration batch with `values` replacing one layer's weight (and bias): only the
   * graph from that layer on is run, on cached upstream values (cut-logits.ts); models with a fixed
   * batch size get a full pass. Counted as one forward pass of the calibration images.
   */
  async layerCalibrationLogits(layer: Layer, values: ReadonlyMap<string, Float32Array>, owner: string): Promise<Float32Array> {
    const batch = await this.calibration();
    const cut = await this.ledger.shared('cut-logits', async () => {
      const created = await CutLogits.create(this.model, this.layers, batch, this.source, this.sessionOptions());
      if (created) this.resources.push(created);
      return created;
    });
    if (!cut) return this.calibrationLogits(values);
    this.ledger.countForward(batch.count);
    return cut.logits(layer, values, owner);
  }

  /** The gradient runner over the calibration batch (weights and biases of every layer as inputs). */
  private async gradientSource(): Promise<CalibrationGradients> {
    const batch = await this.calibration();
    return this.ledger.shared('gradient-session', async () => {
      const g = await CalibrationGradients.create(this.model, this.layers, batch, {
        source: this.source,
        ...this.sessionOptions(),
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
    const batchSize = this.options.gradientBatch ?? SCORING_DEFAULTS.gradientBatch;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError(`gradient batch size must be a positive integer, got ${batchSize}`);
    return this.ledger.shared(`gradient-statistics:${batchSize}`, async () => (await this.gradientSource()).statistics(batchSize));
  }

  /** Mean loss and gradient on the calibration batch with `values` replacing stored weights or biases. */
  async gradientsAt(values: ReadonlyMap<string, Float32Array>): Promise<LossGradient> {
    return (await this.gradientSource()).at(values);
  }

  /** Per mini-batch (of the Fisher batch size) loss and gradient at the stored weights, with other labels. */
  async forEachBatchGradient(labels: Int32Array, visit: (batch: LossGradient) => void): Promise<{ batchSize: number }> {
    const batchSize = this.options.gradientBatch ?? SCORING_DEFAULTS.gradientBatch;
    return (await this.gradientSource()).forEachBatch(batchSize, labels, visit);
  }

  /** Logits of the unperturbed model on the calibration batch (count × classes). */
  async baseLogits(): Promise<Float32Array> {
    return this.ledger.shared('base-logits', () => this.calibrationLogits());
  }

  async release(): Promise<void> {
    for (const r of this.resources.splice(0)) await r.release();
  }

  /** The view one criterion instance gets. */
  contextFor(id: string, needs: CriterionNeeds, perturbation?: PerturbationSpec): CriterionContext {
    return new CriterionContext(this, id, needs, perturbation);
  }
}

/**
 * A criterion's view of a `ScoringSession`. Methods that need data throw unless the criterion
 * declared `needs.data`, so the declared needs are the real ones.
 */
export class CriterionContext {
  constructor(
    private readonly session: ScoringSession,
    readonly criterion: string,
    private readonly needs: CriterionNeeds,
    private readonly spec: PerturbationSpec | undefined,
  ) {}

  get model(): Model {
    return this.session.model;
  }

  get layers(): readonly Layer[] {
    return this.session.layers;
  }

  get source(): string {
    return this.session.source;
  }

  get seed(): number {
    return this.session.seed;
  }

  /** A fresh generator seeded with the scoring seed. */
  rng(): Rng {
    return createRng(this.session.seed);
  }

  weight(layer: Layer): Float32Array {
    return this.session.weight(layer);
  }

  bias(layer: Layer): Float32Array | undefined {
    return this.session.bias(layer);
  }

  /** The layer as a perturbation target (weight, shape, channel axis, bias). */
  target(layer: Layer): PerturbTarget {
    return { weight: this.weight(layer), shape: layer.shape, channelAxis: layer.channelAxis, bias: this.bias(layer) };
  }

  /** The perturbation this criterion instance models (its `@` parameter or the default). */
  get perturbation(): PerturbationSpec {
    if (!this.spec) throw new Error(`internal error: criterion "${this.criterion}" has no perturbation parameter`);
    return this.spec;
  }

  /**
   * The instance's perturbation applied to one layer. Stochastic perturbations draw from a generator
   * of the layer's own: seeded with the first 48 bits of sha256("criteria\0<layer>\0<perturbation>\0<seed>"),
   * so layers draw independent streams, a layer's draw does not depend on the others, and it is not
   * one of the sweep's draws (whose key has no "criteria" prefix).
   */
  perturb(layer: Layer): PerturbResult {
    const spec = this.perturbation;
    const digest = createHash('sha256').update(`criteria\0${layer.name}\0${spec.text}\0${this.seed}`).digest();
    return applyPerturbation(this.target(layer), spec.perturbation, createRng(digest.readUIntBE(0, 6)));
  }

  sampleShape(): readonly number[] {
    return this.session.sampleShape();
  }

  /** Counted forward runs of `model` (default: the model under study) with the layer weights as inputs. */
  forwardRunner(key?: string, model?: Model): Promise<CountedForward> {
    return this.session.forwardRunner(key, model);
  }

  /** A value computed once per model and shared between criteria; each user is charged its full cost. */
  shared<T>(key: string, compute: () => Promise<T>): Promise<T> {
    return this.session.ledger.shared(key, compute);
  }

  calibration(): Promise<CalibrationBatch> {
    this.requireData('calibration');
    return this.session.calibration();
  }

  calibrationLogits(values?: ReadonlyMap<string, Float32Array>): Promise<Float32Array> {
    this.requireData('calibrationLogits');
    return this.session.calibrationLogits(values);
  }

  /** Calibration logits with `values` replacing one layer's weight (and bias); faster than calibrationLogits. */
  layerCalibrationLogits(layer: Layer, values: ReadonlyMap<string, Float32Array>): Promise<Float32Array> {
    this.requireData('layerCalibrationLogits');
    return this.session.layerCalibrationLogits(layer, values, this.criterion);
  }

  baseLogits(): Promise<Float32Array> {
    this.requireData('baseLogits');
    return this.session.baseLogits();
  }

  /** Gradient of the mean calibration loss w.r.t. each layer's weights (and biases), at the stored weights. */
  async gradients(): Promise<Map<string, Float32Array>> {
    this.requireGradients('gradients');
    return (await this.session.gradientStatistics()).gradients;
  }

  /** Mean loss, mean gradient and the mini-batch empirical Fisher diagonal at the stored weights. */
  gradientStatistics(): Promise<GradientStatistics> {
    this.requireGradients('gradientStatistics');
    return this.session.gradientStatistics();
  }

  /** Mean loss and gradient with `values` replacing stored weights or biases. */
  gradientsAt(values: ReadonlyMap<string, Float32Array>): Promise<LossGradient> {
    this.requireGradients('gradientsAt');
    return this.session.gradientsAt(values);
  }

  /**
   * Loss and gradient of each mini-batch of --gradient-batch images at the stored weights, with
   * `labels` (one per calibration image) in place of the true labels.
   */
  forEachBatchGradient(labels: Int32Array, visit: (batch: LossGradient) => void): Promise<{ batchSize: number }> {
    this.requireGradients('forEachBatchGradient');
    return this.session.forEachBatchGradient(labels, visit);
  }

  /**
   * Hessian-vector product H·v of the mean calibration loss by central differences of gradients:
   * (g(w + h·v) − g(w − h·v)) / 2h, exact for quadratic losses and O(h²) otherwise. `v` maps layer
   * weight names to directions (missing layers: 0); the result has an entry per layer weight.
   */
  async hvp(v: ReadonlyMap<string, Float32Array>, h: number): Promise<Map<string, Float32Array>> {
    if (!this.needs.hvp) throw new Error(`internal error: criterion "${this.criterion}" calls ctx.hvp() but does not declare needs.hvp`);
    const shifted = (sign: number): Map<string, Float32Array> => {
      const values = new Map<string, Float32Array>();
      for (const [name, dir] of v) {
        const w = this.weight(this.session.layer(name));
        values.set(name, w.map((x, i) => x + sign * h * (dir[i] as number)));
      }
      return values;
    };
    const plus = await this.session.gradientsAt(shifted(1));
    const minus = await this.session.gradientsAt(shifted(-1));
    const out = new Map<string, Float32Array>();
    for (const layer of this.layers) {
      const a = plus.gradients.get(layer.name) as Float32Array;
      const b = minus.gradients.get(layer.name) as Float32Array;
      out.set(layer.name, a.map((x, i) => (x - (b[i] as number)) / (2 * h)));
    }
    return out;
  }

  /** Option values criteria read (samples, steps, batch sizes), with defaults filled in. */
  get settings(): { hutchinsonSamples: number; integrationSteps: number; gradientBatch: number } {
    const o = this.session.options;
    return {
      hutchinsonSamples: o.hutchinsonSamples ?? SCORING_DEFAULTS.hutchinsonSamples,
      integrationSteps: o.integrationSteps ?? SCORING_DEFAULTS.integrationSteps,
      gradientBatch: o.gradientBatch ?? SCORING_DEFAULTS.gradientBatch,
    };
  }

  private requireGradients(method: string): void {
    if (!this.needs.gradients) {
      throw new Error(`internal error: criterion "${this.criterion}" calls ctx.${method}() but does not declare needs.gradients`);
    }
  }

  private requireData(method: string): void {
    if (!this.needs.data) {
      throw new Error(`internal error: criterion "${this.criterion}" calls ctx.${method}() but does not declare needs.data`);
    }
  }
}
