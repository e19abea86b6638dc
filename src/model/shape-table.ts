/**
 * Static knowledge about every value of a graph, measured rather than inferred:
 * the model is run with every intermediate value exposed, once per feed set
 * (e.g. at batch sizes 2 and 3). An axis whose size differs between the runs
 * depends on the batch size ("dynamic"); small integer tensors that do not
 * depend on the data and agree between runs are kept as known values (they
 * are shape arithmetic: Slice starts, Reshape targets, ...).
 */
import { ModelError } from '../errors.js';
import type { DataType, TypedArray } from '../onnx/dtypes.js';
import { withOutputs } from '../onnx/edit.js';
import { GraphIndex } from '../onnx/graph.js';
import type { Model } from '../onnx/ir.js';
import { makeTensor, OrtRunner } from '../runtime/session.js';

export interface ValueShape {
  readonly type: DataType;
  /** Sizes measured in the first run. */
  readonly dims: readonly number[];
  /** dynamic[i]: the size of axis i changed between runs (it depends on the batch size). */
  readonly dynamic: readonly boolean[];
}

/** Values of at most this many elements are recorded (integer shape arithmetic). */
const MAX_RECORDED = 64;

export class ShapeTable {
  constructor(
    private readonly shapes: ReadonlyMap<string, ValueShape>,
    private readonly known: ReadonlyMap<string, readonly number[]> = new Map(),
  ) {}

  has(value: string): boolean {
    return this.shapes.has(value);
  }

  get(value: string): ValueShape {
    const s = this.shapes.get(value);
    if (!s) throw new Error(`internal error: no shape known for value "${value}"`);
    return s;
  }

  isStatic(value: string): boolean {
    return !this.get(value).dynamic.some((d) => d);
  }

  rank(value: string): number {
    return this.get(value).dims.length;
  }

  /** The value of a small integer tensor that is the same in every run and does not depend on the data. */
  knownInts(value: string): readonly number[] | undefined {
    return this.known.get(value);
  }
}

export interface Feed {
  readonly type: DataType;
  readonly data: TypedArray;
  readonly dims: readonly number[];
}

/**
 * Runs `model` once per feed set with every node output exposed and returns
 * the shape table. Initializers and fed inputs are included.
 */
export async function probeShapeTable(model: Model, feedSets: readonly Readonly<Record<string, Feed>>[], source = 'model'): Promise<ShapeTable> {
  if (feedSets.length === 0) throw new Error('internal error: probeShapeTable needs at least one feed set');
  const graph = model.graph;
  const values: string[] = [];
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    for (const out of node.outputs) {
      if (out !== '' && !seen.has(out)) {
        seen.add(out);
        values.push(out);
      }
    }
  }
  const probeModel = withOutputs(model, values.map((name) => ({ name, elemType: 0, shape: undefined })));
  const runner = await OrtRunner.create(probeModel, `${source} (shape probe)`, { threads: 1, optimization: 'disabled' });
  const runs: Map<string, { type: string; dims: readonly number[]; data: unknown }>[] = [];
  try {
    for (const feeds of feedSets) {
      const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, makeTensor(f.type, f.data, f.dims)]));
      const out = await runner.run(ortFeeds);
      const run = new Map<string, { type: string; dims: readonly number[]; data: unknown }>();
      for (const [name, t] of Object.entries(out)) run.set(name, { type: t.type, dims: [...t.dims], data: t.data });
      for (const [name, f] of Object.entries(feeds)) run.set(name, { type: f.type, dims: f.dims, data: f.data });
      runs.push(run);
    }
  } finally {
    await runner.release();
  }
  const shapes = new Map<string, ValueShape>();
  for (const init of graph.initializers.values()) {
    shapes.set(init.name, { type: init.dataType, dims: init.dims, dynamic: init.dims.map(() => false) });
  }
  const first = runs[0] as Map<string, { type: string; dims: readonly number[]; data: unknown }>;
  for (const [name, r] of first) {
    const type = ortType(r.type, name, source);
    const dynamic = r.dims.map((d, axis) => runs.some((other) => {
      const o = other.get(name);
      return !o || o.dims.length !== r.dims.length || o.dims[axis] !== d;
    }));
    shapes.set(name, { type, dims: r.dims, dynamic });
  }
  for (const name of values) {
    if (!shapes.has(name)) throw new ModelError(`${source}: the shape probe did not return value "${name}"`);
  }
  const known = new Map<string, readonly number[]>();
  const dataDependent = dataDependentValues(model);
  for (const [name, r] of first) {
    if (dataDependent.has(name)) continue;
    const ints = smallInts(r.data);
    if (!ints) continue;
    if (runs.every((other) => sameInts(smallInts(other.get(name)?.data), ints))) known.set(name, ints);
  }
  for (const init of graph.initializers.values()) {
    const ints = smallInts(init.data);
    if (ints) known.set(init.name, ints);
  }
  return new ShapeTable(shapes, known);
}

function ortType(type: string, name: string, source: string): DataType {
  const known: readonly DataType[] = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool'];
  const t = known.find((k) => k === type);
  if (!t) throw new ModelError(`${source}: value "${name}" has element type ${type}, which safer cannot differentiate through`);
  return t;
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
