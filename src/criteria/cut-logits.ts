/**
 * Calibration logits with one layer perturbed at a time, computed the way the sweep computes them:
 * the values upstream of a layer (its frontier) are computed once for a group of layers, and a
 * layer's run covers only the graph from that layer on, with the perturbed weights baked in as
 * constants (which onnxruntime pre-packs). On ResNet-20 this is several times faster than a full
 * pass with the weights fed as inputs (forward.ts); see docs/performance.md.
 */
import { ModelError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { sizeOf } from '../onnx/dtypes.js';
import { withInitializerValues } from '../onnx/edit.js';
import type { Model } from '../onnx/ir.js';
import { checkSampleShape, classifierIO, type ClassifierIO } from '../runtime/classifier.js';
import type { LabeledBatches } from '../runtime/evaluate.js';
import { memoryBatches } from '../runtime/memory-batches.js';
import { probeShapes } from '../model/probe.js';
import { OrtRunner, type OrtTensor, type SessionOptions } from '../runtime/session.js';
import { defaultBatchSize } from '../cut/batch-size.js';
import { cutLayers, type DownstreamCut } from '../cut/cut.js';
import { computeFrontier, type FrontierBatch } from '../cut/frontier.js';
import { groupLayers, type LayerGroup } from '../cut/groups.js';
import type { CalibrationBatch } from './context.js';

/** Bound on the cached frontier values of one group of layers (a larger single layer goes alone). */
const FRONTIER_BYTES = 1024 ** 3;

export class CutLogits {
  /** The group whose frontier is cached, and for whom (a criterion recomputes it rather than use another's). */
  private cached: { group: LayerGroup; owner: string; frontier: FrontierBatch[] } | undefined;

  private constructor(
    private readonly model: Model,
    private readonly io: ClassifierIO,
    private readonly cuts: ReadonlyMap<Layer, DownstreamCut>,
    private readonly groups: readonly LayerGroup[],
    private readonly data: LabeledBatches,
    private readonly batchSize: number,
    private readonly options: SessionOptions,
    private readonly source: string,
  ) {}

  /** Undefined for a model with a fixed batch size: its graph cannot be run on cached values of any batch. */
  static async create(model: Model, layers: readonly Layer[], batch: CalibrationBatch, source: string, options: SessionOptions): Promise<CutLogits | undefined> {
    const io = classifierIO(model, source);
    if (checkSampleShape(io.input, batch.sampleShape, 'calibration data', source) !== undefined) return undefined;
    const batch1 = await probeShapes(model, batch.sampleShape, 1, source);
    const probed = { batch1, batch2: await probeShapes(model, batch.sampleShape, 2, source), input: io.input };
    const cuts = cutLayers(model, layers, io.logits, probed);
    const sampleSize = sizeOf(batch.sampleShape);
    const groups = groupLayers(layers, cuts, batch1, 4 * sampleSize, batch.count, FRONTIER_BYTES);
    const data = memoryBatches(batch.images.subarray(0, batch.count * sampleSize), batch.labels.subarray(0, batch.count), batch.sampleShape, 'calibration data');
    return new CutLogits(model, io, cuts, groups, data, defaultBatchSize(batch1), options, source);
  }

  /** Logits (count × classes) of the calibration images with `values` replacing `layer`'s weight (and bias). */
  async logits(layer: Layer, values: ReadonlyMap<string, Float32Array>, owner: string): Promise<Float32Array> {
    const cut = this.cuts.get(layer);
    const group = this.groups.find((g) => g.layers.includes(layer));
    if (!cut || !group) throw new Error(`internal error: ${layer.name} is not among the layers of this CutLogits`);
    if (this.cached?.group !== group || this.cached.owner !== owner) {
      this.cached = undefined;
      const frontier = await computeFrontier(this.model, this.io.input.name, group.values, this.data, { start: 0, end: this.data.count }, this.batchSize, this.options);
      this.cached = { group, owner, frontier };
    }
    const runner = await OrtRunner.create(withInitializerValues(cut.model, values), `${this.source}: ${layer.name} perturbed`, this.options);
    let out: Float32Array | undefined;
    try {
      for (const batch of this.cached.frontier) {
        const feeds: Record<string, OrtTensor> = {};
        for (const v of cut.frontier) feeds[v.name] = batch.values.get(v.name) as OrtTensor;
        const logits = (await runner.run(feeds, [this.io.logits]))[this.io.logits];
        if (!logits || logits.type !== 'float32' || logits.dims.length !== 2 || logits.dims[0] !== batch.count) {
          throw new ModelError(`${this.source}: output "${this.io.logits}" is not float32 logits [batch, classes]`);
        }
        const classes = logits.dims[1] as number;
        out ??= new Float32Array(this.data.count * classes);
        out.set(logits.data as Float32Array, batch.start * classes);
      }
    } finally {
      await runner.release();
    }
    return out ?? new Float32Array(0);
  }

  async release(): Promise<void> {
    this.cached = undefined;
  }
}
