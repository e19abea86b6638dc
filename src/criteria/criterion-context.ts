/**
 * A criterion's view of a `ScoringSession`: the model's layers and weights, the calibration batch,
 * shared lazily computed values, a seeded rng, and the perturbation the instance models. Methods
 * that need data or gradients throw unless the criterion declared them in `needs`, so the declared
 * needs are the real ones.
 */
import { assert } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { PreparedModel } from '../model/prepare.js';
import type { Model } from '../onnx/ir.js';
import { applyPerturbation, createRng, seedFromKey, type PerturbationSpec, type PerturbResult, type PerturbTarget, type Rng } from '../perturb/index.js';
import type { SampleBatch } from '../runtime/memory-batches.js';
import type { GradientStatistics, LossGradient } from './gradients.js';
import { hessianVectorProduct } from './hvp.js';
import type { CriterionNeeds } from './needs.js';
import type { CountedForward, ScoringSession, ScoringSettings } from './scoring-session.js';

export class CriterionContext {
  constructor(
    private readonly session: ScoringSession,
    readonly criterion: string,
    private readonly needs: CriterionNeeds,
    private readonly spec: PerturbationSpec | undefined,
  ) {}

  get prepared(): PreparedModel {
    return this.session.prepared;
  }

  get model(): Model {
    return this.session.prepared.model;
  }

  get layers(): readonly Layer[] {
    return this.session.layers;
  }

  get source(): string {
    return this.session.source;
  }

  get seed(): number {
    return this.session.settings.seed;
  }

  /** Option values criteria read (samples, steps, batch sizes), with defaults filled in. */
  get settings(): ScoringSettings {
    return this.session.settings;
  }

  /** A fresh generator seeded with the scoring seed. */
  rng(): Rng {
    return createRng(this.seed);
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
    assert(this.spec, () => `criterion "${this.criterion}" has no perturbation parameter`);
    return this.spec;
  }

  /**
   * The instance's perturbation applied to one layer. Stochastic perturbations draw from a generator
   * of the layer's own, seeded with seedFromKey("criteria", layer, perturbation, seed): layers draw
   * independent streams, a layer's draw does not depend on the others, and it is not one of the
   * sweep's draws (whose key has no "criteria" part).
   */
  perturb(layer: Layer): PerturbResult {
    const spec = this.perturbation;
    return applyPerturbation(this.target(layer), spec.perturbation, createRng(seedFromKey('criteria', layer.name, spec.text, this.seed)));
  }

  /** Shape of one sample. */
  sampleShape(): readonly number[] {
    return this.session.prepared.sampleShape;
  }

  /** Counted forward runs of `prepared` (default: the model under study) with the layer weights as inputs. */
  forwardRunner(key?: string, prepared?: PreparedModel): Promise<CountedForward> {
    return this.session.forwardRunner(key, prepared);
  }

  /** A value computed once per model and shared between criteria; each user is charged its full cost. */
  shared<T>(key: string, compute: () => Promise<T>): Promise<T> {
    return this.session.ledger.shared(key, compute);
  }

  calibration(): Promise<SampleBatch> {
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

  /** Hessian-vector product H·v of the mean calibration loss (hvp.ts); `v` maps layer weight names to directions. */
  hvp(v: ReadonlyMap<string, Float32Array>, h: number): Promise<Map<string, Float32Array>> {
    assert(this.needs.hvp, () => `criterion "${this.criterion}" calls ctx.hvp() but does not declare needs.hvp`);
    const session = this.session;
    return hessianVectorProduct(this.layers, (name) => session.weight(session.layer(name)), (values) => session.gradientsAt(values), v, h);
  }

  private requireGradients(method: string): void {
    assert(this.needs.gradients, () => `criterion "${this.criterion}" calls ctx.${method}() but does not declare needs.gradients`);
  }

  private requireData(method: string): void {
    assert(this.needs.data, () => `criterion "${this.criterion}" calls ctx.${method}() but does not declare needs.data`);
  }
}
