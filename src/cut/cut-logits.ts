/**
 * Logits of samples held in memory (criteria's and budgets' calibration images) with one layer
 * perturbed at a time, through the graph-cut engine (engine.ts): the
 * values upstream of a layer (its frontier) are computed once for a group of layers, and a layer's
 * run covers only the graph from that layer on, with the perturbed weights baked in as constants.
 * On ResNet-20 this is several times faster than a full pass with the weights fed as inputs
 * (forward.ts); see docs/benchmarks.md.
 */
import { CutEngine } from './engine.js';
import type { FrontierBatch } from './frontier.js';
import type { LayerGroup } from './groups.js';
import type { Layer } from '../layers/layer.js';
import type { PreparedModel } from '../model/prepare.js';
import { sizeOf } from '../onnx/dtypes.js';
import type { LabeledBatches } from '../runtime/evaluate.js';
import type { SessionOptions } from '../runtime/session.js';
import { memoryBatches, type SampleBatch } from '../runtime/memory-batches.js';

/** Bound on the cached frontier values of one group of layers (a larger single layer goes alone). */
const FRONTIER_BYTES = 1024 ** 3;

export class CutLogits {
  /** The group whose frontier is cached, and for whom (a criterion recomputes it rather than use another's). */
  private cached: { group: LayerGroup; owner: string; frontier: FrontierBatch[] } | undefined;

  private constructor(
    private readonly engine: CutEngine,
    private readonly data: LabeledBatches,
  ) {}

  static create(prepared: PreparedModel, batch: SampleBatch, session: SessionOptions): CutLogits {
    const engine = CutEngine.create(prepared, prepared.layers, { count: batch.count, memoryBytes: FRONTIER_BYTES, session, prefix: session });
    const sampleSize = sizeOf(batch.sampleShape);
    const data = memoryBatches(batch.images.subarray(0, batch.count * sampleSize), batch.labels.subarray(0, batch.count), batch.sampleShape, 'calibration data');
    return new CutLogits(engine, data);
  }

  /** Logits (count × classes) of the calibration images with `values` replacing `layer`'s weight (and bias). */
  async logits(layer: Layer, values: ReadonlyMap<string, Float32Array>, owner: string): Promise<Float32Array> {
    return (await this.logitsOfVariants(layer, 1, () => values, owner))[0] as Float32Array;
  }

  /**
   * The logits of `count` variants of `layer`'s weights (and bias), `variant(i)` making the i-th when its
   * bundle runs (so that only one bundle's weights are held at a time): the same as `logits` for each,
   * bit for bit, with up to the engine's bundle size in one session (replicate.ts).
   */
  async logitsOfVariants(layer: Layer, count: number, variant: (index: number) => ReadonlyMap<string, Float32Array>, owner: string): Promise<Float32Array[]> {
    const group = this.engine.groupOf(layer);
    if (this.cached?.group !== group || this.cached.owner !== owner) {
      this.cached = undefined;
      const frontier = await this.engine.frontier(group, this.data, { start: 0, end: this.data.count });
      this.cached = { group, owner, frontier };
    }
    const size = this.engine.bundleSize(layer);
    const outs: Float32Array[] = [];
    for (let first = 0; first < count; first += size) {
      const bundle = Array.from({ length: Math.min(size, count - first) }, (_, i) => variant(first + i));
      const run = await this.engine.open(layer, bundle, `${this.engine.prepared.source}: ${layer.name} perturbed`);
      const got: (Float32Array | undefined)[] = bundle.map(() => undefined);
      try {
        for (const batch of this.cached.frontier) {
          const logits = await run.logits(batch);
          logits.forEach((l, i) => {
            const classes = l.length / batch.count;
            const out = (got[i] ??= new Float32Array(this.data.count * classes));
            out.set(l, batch.start * classes);
          });
        }
      } finally {
        await run.release();
      }
      outs.push(...got.map((g) => g ?? new Float32Array(0)));
    }
    return outs;
  }

  async release(): Promise<void> {
    this.cached = undefined;
  }
}
