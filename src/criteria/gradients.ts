/**
 * Loss gradients on the calibration batch for gradient-based criteria, on top of autodiff's
 * GradientRunner (one session, layer weights and biases as inputs). The loss is the mean
 * cross-entropy over the images; gradients are of that mean.
 * - `statistics`: one pass at the stored weights in mini-batches of `batchSize` images, giving the
 *   mean gradient and the mini-batch empirical Fisher diagonal Σ_b (n_b / N) g_b² (g_b = gradient of
 *   the mean loss over mini-batch b).
 * - `at(values)`: mean loss and gradient with some weights replaced (chunks of `chunk` images).
 * - `forEachBatch(size, labels)`: per mini-batch gradients at the stored weights, with other labels.
 * Models with a fixed batch size are run in chunks of exactly that size; a remainder is left out.
 */
import { GradientRunner } from '../autodiff/index.js';
import { assert, OptionError } from '../errors.js';
import type { PreparedModel } from '../model/prepare.js';
import { checkLabels } from '../runtime/evaluate.js';
import type { SampleBatch } from '../runtime/memory-batches.js';

export interface LossGradient {
  /** Mean cross-entropy over the images used. */
  loss: number;
  /** Layer weight or bias name → gradient of the mean loss, in the initializer's layout. */
  gradients: Map<string, Float32Array>;
  /** Images used. */
  count: number;
}

export interface GradientStatistics extends LossGradient {
  /** Per entry: Σ_b (n_b / N) g_b², the empirical Fisher diagonal over mini-batches. */
  fisher: Map<string, Float64Array>;
  batchSize: number;
  batches: number;
}

export class CalibrationGradients {
  private constructor(
    private readonly runner: GradientRunner,
    private readonly batch: SampleBatch,
    private readonly fixedBatch: number | undefined,
    private readonly onImages: ((images: number) => void) | undefined,
  ) {}

  /** `onImages` is told how many images each run pushed forward and backward. */
  static async create(prepared: PreparedModel, batch: SampleBatch, options: { threads?: number; data?: string; onImages?: (images: number) => void }): Promise<CalibrationGradients> {
    const wrt = prepared.layers.flatMap((layer) => (layer.bias ? [layer.name, layer.bias] : [layer.name]));
    const { fixedBatch } = prepared;
    if (fixedBatch !== undefined && batch.count < fixedBatch) {
      throw new OptionError(`${prepared.source}: the model takes batches of exactly ${fixedBatch} images; give at least that many calibration images`);
    }
    checkLabels(batch.labels, 0, prepared.shapes.get(prepared.io.logits).dims[1] as number, options.data ?? 'calibration data');
    const runner = await GradientRunner.create(prepared, { wrt, weightsAsInputs: true, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
    return new CalibrationGradients(runner, batch, fixedBatch, options.onImages);
  }

  /** [start, end) ranges covering the calibration batch in chunks of `size` (the fixed batch size if the model has one). */
  private ranges(size: number): [number, number][] {
    const chunk = this.fixedBatch ?? size;
    const usable = this.fixedBatch ? this.batch.count - (this.batch.count % chunk) : this.batch.count;
    const out: [number, number][] = [];
    for (let start = 0; start < usable; start += chunk) out.push([start, Math.min(usable, start + chunk)]);
    return out;
  }

  private async run(start: number, end: number, values?: ReadonlyMap<string, Float32Array>, labelOverride?: Int32Array): Promise<{ loss: number; gradients: Map<string, Float32Array> }> {
    const sampleSize = this.batch.sampleShape.reduce((a, b) => a * b, 1);
    const images = this.batch.images.subarray(start * sampleSize, end * sampleSize);
    const labels = (labelOverride ?? this.batch.labels).subarray(start, end);
    this.onImages?.(end - start);
    return this.runner.run(images, labels, values);
  }

  /**
   * Mean loss and gradient over the calibration batch with `values` replacing stored weights or
   * biases, run in chunks of `chunk` images (the fixed batch size if the model has one).
   */
  async at(values?: ReadonlyMap<string, Float32Array>, chunk = 128): Promise<LossGradient> {
    const { loss, gradients, count } = await this.meanOver(this.ranges(chunk), values, false);
    return { loss, gradients, count };
  }

  /**
   * Calls `visit` with the loss and gradient of every mini-batch of `batchSize` images at the stored
   * weights, with `labels` (one per calibration image) in place of the true ones. Returns the batch
   * size used (the model's own if it has a fixed one).
   */
  async forEachBatch(batchSize: number, labels: Int32Array, visit: (batch: LossGradient) => void): Promise<{ batchSize: number }> {
    assert(labels.length === this.batch.count, () => `${labels.length} labels for ${this.batch.count} calibration images`);
    for (const [start, end] of this.ranges(batchSize)) {
      const r = await this.run(start, end, undefined, labels);
      visit({ ...r, count: end - start });
    }
    return { batchSize: this.fixedBatch ?? batchSize };
  }

  /** Mean gradient and mini-batch Fisher diagonal at the stored weights. */
  async statistics(batchSize: number): Promise<GradientStatistics> {
    const ranges = this.ranges(batchSize);
    const { loss, gradients, count, fisher } = await this.meanOver(ranges, undefined, true);
    return { loss, gradients, count, fisher, batchSize: this.fixedBatch ?? batchSize, batches: ranges.length };
  }

  /**
   * The mean over `ranges` of the per-range mean loss and gradient, each range weighted by its share
   * of the images (the mean over all images); with `squares`, also Σ_b (n_b / N) g_b².
   */
  private async meanOver(ranges: readonly [number, number][], values: ReadonlyMap<string, Float32Array> | undefined, squares: boolean) {
    const total = ranges.reduce((s, [a, b]) => s + (b - a), 0);
    let loss = 0;
    const sums = new Map<string, Float64Array>();
    const fisher = new Map<string, Float64Array>();
    for (const [start, end] of ranges) {
      const r = await this.run(start, end, values);
      const weight = (end - start) / total;
      loss += weight * r.loss;
      for (const [name, g] of r.gradients) {
        let sum = sums.get(name);
        if (!sum) sums.set(name, (sum = new Float64Array(g.length)));
        let sq = fisher.get(name);
        if (squares && !sq) fisher.set(name, (sq = new Float64Array(g.length)));
        for (let i = 0; i < g.length; i++) {
          const v = g[i] as number;
          sum[i] = (sum[i] as number) + weight * v;
          if (sq) sq[i] = (sq[i] as number) + weight * v * v;
        }
      }
    }
    const gradients = new Map([...sums].map(([name, s]) => [name, Float32Array.from(s)] as const));
    return { loss, gradients, count: total, fisher };
  }

  async release(): Promise<void> {
    await this.runner.release();
  }
}
