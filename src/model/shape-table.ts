/**
 * The shape and element type of every value of a graph, measured rather than inferred: the model is
 * run with every intermediate value exposed, once per feed set, in one session (`optimization:
 * 'disabled'`, so no value is fused away). For a classifier the runs are at batch sizes 2, 3 and 1.
 * An axis whose size differs between the runs depends on the batch size ("dynamic"); the run at batch
 * 1 gives the size of a value per sample. Small integer tensors that do not depend on the data and
 * agree between runs are kept as known values (shape arithmetic: Slice starts, Reshape targets, ...).
 */
import { assert, ModelError } from '../errors.js';
import { bytesPerElement, isDataType, sizeOf, type DataType, type TypedArray } from '../onnx/dtypes.js';
import { withOutputs } from '../onnx/edit.js';
import { GraphIndex } from '../onnx/graph.js';
import type { Model } from '../onnx/ir.js';
import type { ClassifierIO } from '../runtime/classifier.js';
import { makeTensor, OrtRunner } from '../runtime/session.js';
import { probeInput } from './probe-input.js';

export interface ValueShape {
  /** Element type as onnxruntime names it ('float32', 'int64', ...; 'string' is possible). */
  readonly type: string;
  /** Sizes measured in the first run. */
  readonly dims: readonly number[];
  /** dynamic[i]: the size of axis i changed between runs (it depends on the batch size). */
  readonly dynamic: readonly boolean[];
}

export interface Feed {
  readonly type: DataType;
  readonly data: TypedArray;
  readonly dims: readonly number[];
}

/** One probe run: its feeds and, for a classifier, the batch size they hold. */
export interface FeedSet {
  readonly feeds: Readonly<Record<string, Feed>>;
  readonly batch?: number;
}

/** Values of at most this many elements are recorded (integer shape arithmetic). */
const MAX_RECORDED = 64;

export class ShapeTable {
  constructor(
    private readonly shapes: ReadonlyMap<string, ValueShape>,
    private readonly known: ReadonlyMap<string, readonly number[]>,
    /** Elements of each value per sample. */
    private readonly perSample: ReadonlyMap<string, number>,
    private readonly source: string,
  ) {}

  has(value: string): boolean {
    return this.shapes.has(value);
  }

  get(value: string): ValueShape {
    const s = this.shapes.get(value);
    assert(s, () => `no shape known for value "${value}"`);
    return s;
  }

  /** The element type of a value, which must be one safer can hold in a typed array. */
  dataType(value: string): DataType {
    const type = this.get(value).type;
    if (!isDataType(type)) throw new ModelError(`${this.source}: value "${value}" has element type ${type}, which safer cannot compute with`);
    return type;
  }

  isStatic(value: string): boolean {
    return !this.get(value).dynamic.some((d) => d);
  }

  rank(value: string): number {
    return this.get(value).dims.length;
  }

  /** Elements of a value per sample (per image of a classifier's batch). */
  sampleSize(value: string): number {
    const n = this.perSample.get(value);
    assert(n !== undefined, () => `no shape known for value "${value}"`);
    return n;
  }

  /** Bytes of a value per sample; 0 for element types that are not numbers. */
  sampleBytes(value: string): number {
    const type = this.get(value).type;
    return isDataType(type) ? this.sampleSize(value) * bytesPerElement(type) : 0;
  }

  /** Every value with its shape. */
  entries(): IterableIterator<[string, ValueShape]> {
    return this.shapes.entries();
  }

  /** The value of a small integer tensor that is the same in every run and does not depend on the data. */
  knownInts(value: string): readonly number[] | undefined {
    return this.known.get(value);
  }

  /**
   * This table for a copy of its model whose values were widened along axis 1 (cut/pad-channels.ts):
   * `channels(value)` is a value's new size there, undefined where it did not change.
   */
  withChannels(channels: (value: string) => number | undefined): ShapeTable {
    const shapes = new Map(this.shapes);
    const perSample = new Map(this.perSample);
    for (const [name, shape] of this.shapes) {
      const c = channels(name);
      const old = shape.dims[1];
      if (c === undefined || old === undefined || old === 0) continue;
      shapes.set(name, { ...shape, dims: shape.dims.map((d, i) => (i === 1 ? c : d)) });
      const elements = this.perSample.get(name);
      if (elements !== undefined) perSample.set(name, (elements / old) * c);
    }
    return new ShapeTable(shapes, this.known, perSample, this.source);
  }

  /**
   * This table for an edit of its model that added only initializers (an opset upgrade that turned
   * attributes into inputs, say), or undefined if the edit also added computed values.
   */
  covering(model: Model): ShapeTable | undefined {
    for (const node of model.graph.nodes) for (const out of node.outputs) if (out !== '' && !this.shapes.has(out)) return undefined;
    const shapes = new Map(this.shapes);
    const known = new Map(this.known);
    const perSample = new Map(this.perSample);
    for (const init of model.graph.initializers.values()) {
      if (shapes.has(init.name)) continue;
      shapes.set(init.name, { type: init.dataType, dims: init.dims, dynamic: init.dims.map(() => false) });
      perSample.set(init.name, sizeOf(init.dims));
      const ints = smallInts(init.data);
      if (ints) known.set(init.name, ints);
    }
    return new ShapeTable(shapes, known, perSample, this.source);
  }
}

/** Batch sizes of a classifier's probe runs: the first gives `dims`, the run at 1 the per-sample sizes. */
const CLASSIFIER_PROBE_BATCHES = [2, 3, 1] as const;

/**
 * The shape table of a classifier for samples of `sampleShape`: runs at batch sizes 2, 3 and 1, or at
 * `fixedBatch` alone for a graph that only runs at that size (per-sample sizes are then size / B).
 */
export async function probeClassifier(model: Model, io: ClassifierIO, sampleShape: readonly number[], fixedBatch: number | undefined, source: string): Promise<ShapeTable> {
  const batches = fixedBatch !== undefined ? [fixedBatch] : CLASSIFIER_PROBE_BATCHES;
  const sets = batches.map((batch): FeedSet => {
    const dims = [batch, ...sampleShape];
    return { batch, feeds: { [io.input.name]: { type: 'float32', data: probeInput(sizeOf(dims)), dims } } };
  });
  return probeShapeTable(model, sets, source);
}

/**
 * Runs `model` once per feed set with every node output exposed, in one session, and returns the
 * shape table. Initializers and fed inputs are included. Per-sample sizes come from the run with the
 * smallest batch (divided by it); feed sets without a batch count as one sample.
 */
export async function probeShapeTable(model: Model, feedSets: readonly FeedSet[], source = 'model'): Promise<ShapeTable> {
  assert(feedSets.length !== 0, () => 'probeShapeTable needs at least one feed set');
  const graph = model.graph;
  const values = [...new Set(graph.nodes.flatMap((n) => n.outputs.filter((o) => o !== '')))];
  const probeModel = withOutputs(model, values.map((name) => ({ name, elemType: 0, shape: undefined })));
  type Measured = { type: string; dims: readonly number[]; data: unknown };
  const runs: Map<string, Measured>[] = [];
  const runner = await OrtRunner.create(probeModel, `${source} (shape probe)`, { threads: 1, optimization: 'disabled' });
  try {
    for (const set of feedSets) {
      const ortFeeds = Object.fromEntries(Object.entries(set.feeds).map(([k, f]) => [k, makeTensor(f.type, f.data, f.dims)]));
      const out = await runner.run(ortFeeds);
      const run = new Map<string, Measured>();
      for (const [name, t] of Object.entries(out)) run.set(name, { type: t.type, dims: [...t.dims], data: t.data });
      for (const [name, f] of Object.entries(set.feeds)) run.set(name, { type: f.type, dims: f.dims, data: f.data });
      runs.push(run);
    }
  } finally {
    await runner.release();
  }
  for (const name of values) {
    if (!runs.every((run) => run.has(name))) throw new ModelError(`${source}: the shape probe did not return value "${name}"`);
  }
  const smallest = feedSets.reduce((best, set, i) => ((set.batch ?? 1) < (feedSets[best]?.batch ?? 1) ? i : best), 0);
  const perSampleRun = runs[smallest] as Map<string, Measured>;
  const perSampleBatch = feedSets[smallest]?.batch ?? 1;
  const first = runs[0] as Map<string, Measured>;
  const shapes = new Map<string, ValueShape>();
  const perSample = new Map<string, number>();
  for (const init of graph.initializers.values()) {
    shapes.set(init.name, { type: init.dataType, dims: init.dims, dynamic: init.dims.map(() => false) });
    perSample.set(init.name, sizeOf(init.dims));
  }
  for (const [name, r] of first) {
    const dynamic = r.dims.map((d, axis) => runs.some((other) => {
      const o = other.get(name);
      return !o || o.dims.length !== r.dims.length || o.dims[axis] !== d;
    }));
    shapes.set(name, { type: r.type, dims: r.dims, dynamic });
    perSample.set(name, sizeOf((perSampleRun.get(name) as Measured).dims) / (dynamic.some((d) => d) || feedSets.length === 1 ? perSampleBatch : 1));
  }
  const known = new Map<string, readonly number[]>();
  const dataDependent = dataDependentValues(model);
  for (const [name, r] of first) {
    if (dataDependent.has(name)) continue;
    const ints = smallInts(r.data);
    if (ints && runs.every((other) => sameInts(smallInts(other.get(name)?.data), ints))) known.set(name, ints);
  }
  for (const init of graph.initializers.values()) {
    const ints = smallInts(init.data);
    if (ints) known.set(init.name, ints);
  }
  return new ShapeTable(shapes, known, perSample, source);
}

function smallInts(data: unknown): number[] | undefined {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    if (data.length > MAX_RECORDED) return undefined;
    return Array.from(data, (v) => Number(v));
  }
  if (data instanceof Int32Array || data instanceof Int8Array || data instanceof Int16Array || data instanceof Uint32Array) {
    if (data.length > MAX_RECORDED) return undefined;
    return Array.from(data);
  }
  return undefined;
}

function sameInts(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Values whose contents (not just shape) depend on a fed input: everything
 * downstream of a graph input except through Shape and Size.
 */
function dataDependentValues(model: Model): Set<string> {
  const graph = model.graph;
  const index = new GraphIndex(graph);
  const dependent = new Set(graph.inputs.filter((v) => !graph.initializers.has(v.name)).map((v) => v.name));
  const stack = [...dependent];
  while (stack.length > 0) {
    const value = stack.pop() as string;
    for (const node of index.consumers(value)) {
      if (node.opType === 'Shape' || node.opType === 'Size') continue;
      for (const out of node.outputs) {
        if (out !== '' && !dependent.has(out)) {
          dependent.add(out);
          stack.push(out);
        }
      }
    }
  }
  return dependent;
}
