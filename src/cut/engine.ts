/**
 * The graph-cut engine: runs a model from a layer on. Only the part of the graph downstream of a
 * layer's weight depends on it (cut.ts); the values that part reads from upstream (its frontier)
 * are computed once per batch for a group of layers (frontier.ts, groups.ts) and cached, and each
 * run with changed weights covers only the downstream part, in a session with the new weights baked
 * in as constants (onnxruntime pre-packs constant weights only: feeding them as inputs is about 4×
 * slower, docs/benchmarks.md). The sweep, the criteria's output divergences and the budgets' cost
 * curves all run through it.
 *
 * A graph that only runs at a fixed batch size B gets batches of B, the last one padded with zero
 * images whose rows are dropped from every result.
 */
import { assert, ModelError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { PreparedModel } from '../model/prepare.js';
import type { LabeledBatches } from '../runtime/evaluate.js';
import { imageTensor } from '../runtime/image-tensor.js';
import { OrtRunner, type OrtTensor, type SessionOptions } from '../runtime/session.js';
import { defaultBatchSize, LARGEST_ACTIVATION_BYTES } from './batch-size.js';
import { blockedFrontier } from './blocked-frontier.js';
import { cutDownstream, cutWeights, type DownstreamCut } from './cut.js';
import { padChannels, type PaddedChannels } from './pad-channels.js';
import type { Model } from '../onnx/ir.js';
import { computeFrontier, type FrontierBatch } from './frontier.js';
import { groupLayers, type LayerGroup } from './groups.js';
import { replicatedModel, variantOutput } from './replicate.js';

/** Most variants of one layer run in one session (replicate.ts); 8 is as fast as more on every zoo model (docs/benchmarks.md). */
export const MAX_BUNDLE = 8;
/** Bound on a bundle's largest values of one batch summed over its copies: big models get smaller bundles. */
const BUNDLE_VALUE_BYTES = 8 * LARGEST_ACTIVATION_BYTES;

export interface CutEngineOptions {
  /** Images the cached frontier covers (the data set's size): with `memoryBytes`, it sets the groups. */
  count: number;
  /** Bound on cached frontier values, in bytes. */
  memoryBytes: number;
  /** Images per onnxruntime run (default: defaultBatchSize); a fixed batch size of the graph wins. */
  batchSize?: number;
  /** Options of the downstream sessions. */
  session: SessionOptions;
  /** Options of the prefix runs that compute the frontier. */
  prefix: SessionOptions;
  /**
   * Arrange the graph for onnxruntime's blocked layout (NCHWc, x86-64): run a copy with convolution
   * channels padded to multiples of 16 (pad-channels.ts), when it has any to pad, and feed frontier values
   * that a Concat, Add, Sum or BatchNormalization reads through an identity convolution into that layout
   * (blocked-frontier.ts). The same logits up to float rounding, faster where onnxruntime would leave its
   * blocked layout (DenseNet, the residual Adds of ResNet-20 and MobileNetV2). Perturbed weights are given
   * in their original shape.
   */
  blockedLayout?: boolean;
}

/** A range of samples processed together. */
export interface SampleRange {
  start: number;
  end: number;
}

export class CutEngine {
  private constructor(
    readonly prepared: PreparedModel,
    /** The graph the engine runs: the prepared model, or its channel-padded copy. */
    readonly model: Model,
    private readonly padding: PaddedChannels | undefined,
    /** Images per onnxruntime run. */
    readonly batchSize: number,
    private readonly cuts: ReadonlyMap<Layer, DownstreamCut>,
    /** Consecutive layers whose frontier values for all `count` images fit the memory bound together. */
    readonly groups: readonly LayerGroup[],
    private readonly options: CutEngineOptions,
  ) {}

  /** The cuts and groups of `layers` (a subset of the prepared model's, in topological order). */
  static create(prepared: PreparedModel, layers: readonly Layer[], options: CutEngineOptions): CutEngine {
    const batchSize = prepared.fixedBatch ?? options.batchSize ?? defaultBatchSize(prepared.model, prepared.shapes);
    const padding = options.blockedLayout ? padChannels(prepared.model, prepared.shapes) : undefined;
    const model = padding?.model ?? prepared.model;
    const shapes = padding ? prepared.shapes.withChannels(padding.paddedChannels) : prepared.shapes;
    const cutOf = (layer: Layer): DownstreamCut => {
      const cut = cutDownstream(model, cutWeights(layer), prepared.io.logits, shapes, prepared.io.input);
      return options.blockedLayout ? blockedFrontier(cut) : cut;
    };
    const cuts = new Map(layers.map((layer) => [layer, cutOf(layer)] as const));
    const groups = groupLayers(layers, cuts, shapes, options.count, options.memoryBytes);
    return new CutEngine(prepared, model, padding, batchSize, cuts, groups, options);
  }

  cut(layer: Layer): DownstreamCut {
    const cut = this.cuts.get(layer);
    assert(cut, () => `${layer.name} is not among the layers of this cut engine`);
    return cut;
  }

  groupOf(layer: Layer): LayerGroup {
    const group = this.groups.find((g) => g.layers.includes(layer));
    assert(group, () => `${layer.name} is not among the layers of this cut engine`);
    return group;
  }

  /** Ranges of the data processed together for a group, so that its cached frontier stays under the bound (whole batches, at least one). */
  chunks(group: LayerGroup): SampleRange[] {
    const { count, memoryBytes } = this.options;
    const fit = Math.floor(memoryBytes / Math.max(1, group.bytesPerSample));
    const chunk = Math.max(this.batchSize, Math.floor(fit / this.batchSize) * this.batchSize);
    const ranges: SampleRange[] = [];
    for (let start = 0; start < count; start += chunk) ranges.push({ start, end: Math.min(count, start + chunk) });
    return ranges;
  }

  /** The group's frontier values over `range` of the data, by prefix runs. */
  frontier(group: LayerGroup, data: LabeledBatches, range: SampleRange): Promise<FrontierBatch[]> {
    const { io, fixedBatch } = this.prepared;
    return computeFrontier(this.model, io.input.name, group.values, data, range, this.batchSize, fixedBatch, this.options.prefix);
  }

  /**
   * One batch of a group's frontier from values fetched in a run of the whole model (the base run of
   * a sweep computes them anyway): the image input among them is the batch itself.
   */
  frontierFromRun(group: LayerGroup, batch: { start: number; count: number; images: Float32Array; labels: Int32Array }, fetched: ReadonlyMap<string, OrtTensor>): FrontierBatch {
    const { io, sampleShape, fixedBatch } = this.prepared;
    const values = new Map(fetched);
    if (group.values.includes(io.input.name)) values.set(io.input.name, imageTensor(batch.images, batch.count, sampleShape, fixedBatch));
    return { start: batch.start, count: batch.count, labels: batch.labels, values };
  }

  /**
   * How many variants of `layer` one session runs at once (`open`): MAX_BUNDLE, or fewer so that the
   * largest values of one batch, over all copies, stay under 8 × LARGEST_ACTIVATION_BYTES.
   */
  bundleSize(layer: Layer): number {
    const perCopy = this.cut(layer).largestValueBytes * this.batchSize;
    return Math.max(1, Math.min(MAX_BUNDLE, Math.floor(BUNDLE_VALUE_BYTES / Math.max(1, perCopy))));
  }

  /**
   * One session of `layer`'s downstream part per variant in `variants`, all in one (replicate.ts): each
   * variant's values (its new weight, and bias) baked in. At most `bundleSize(layer)` variants.
   */
  async open(layer: Layer, variants: readonly ReadonlyMap<string, Float32Array>[], label: string): Promise<CutRun> {
    const cut = this.cut(layer);
    const padding = this.padding;
    const placed = padding ? variants.map((values) => new Map([...values].map(([name, data]) => [name, padding.embed(name, data)] as const))) : variants;
    const { model, prefix } = replicatedModel(cut, placed);
    const runner = await OrtRunner.create(model, label, this.options.session);
    const outputs = variants.map((_, i) => variantOutput(this.prepared.io.logits, i, prefix));
    return new CutRun(runner, cut, outputs, this.prepared.source);
  }
}

/** The downstream part of one layer with changed weights (one copy per variant), run batch by batch on cached frontier values. */
export class CutRun {
  constructor(
    private readonly runner: OrtRunner,
    private readonly cut: DownstreamCut,
    /** The logits output of each variant. */
    private readonly outputs: readonly string[],
    private readonly source: string,
  ) {}

  /** Logits (count × classes) of one frontier batch, one array per variant; padding rows dropped. */
  async logits(batch: FrontierBatch): Promise<Float32Array[]> {
    const feeds: Record<string, OrtTensor> = {};
    for (const v of this.cut.frontier) feeds[v.name] = batch.values.get(v.name) as OrtTensor;
    const fetched = await this.runner.run(feeds, this.outputs);
    return this.outputs.map((name) => {
      const out = fetched[name];
      if (!out || out.type !== 'float32' || out.dims.length !== 2 || (out.dims[0] as number) < batch.count) {
        throw new ModelError(`${this.source}: output "${name}" is not float32 logits [batch, classes]`);
      }
      return (out.data as Float32Array).subarray(0, batch.count * (out.dims[1] as number));
    });
  }

  async release(): Promise<void> {
    await this.runner.release();
  }
}
