/** Single-op models, seeded sampling and the random-direction finite-difference check. */
import ort from 'onnxruntime-node';
import type { AttributeValue, Initializer, Model, Node } from '../../src/onnx/ir.js';
import { differentiate, differentiableModel, verifyGradientShapes, type DifferentiableModel } from '../../src/autodiff/index.js';
import { makeTensor, OrtRunner, type OrtTensor } from '../../src/runtime/session.js';
import { isFloatType } from '../../src/onnx/dtypes.js';

export type FloatType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws n values. */
export type Sampler = (n: number, random: () => number) => number[];

export const uniform = (lo = -1, hi = 1): Sampler => (n, r) => Array.from({ length: n }, () => lo + (hi - lo) * r());
/** Uniform in [lo, hi] but at least `gap` away from every point in `points` (kinks). */
export const awayFrom = (points: readonly number[], gap: number, lo = -2, hi = 2): Sampler => (n, r) =>
  Array.from({ length: n }, () => {
    for (;;) {
      const v = lo + (hi - lo) * r();
      if (points.every((p) => Math.abs(v - p) >= gap)) return v;
    }
  });
export const positive = (lo = 0.5, hi = 2): Sampler => uniform(lo, hi);
/** A shuffled grid of distinct values `spacing` apart, centred on 0 (no ties for max-type ops). */
export const distinct = (spacing = 0.05, offset = 0): Sampler => (n, r) => {
  const values = Array.from({ length: n }, (_, i) => (i - n / 2) * spacing + offset);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [values[i], values[j]] = [values[j] as number, values[i] as number];
  }
  return values;
};
export const fixed = (values: readonly number[]): Sampler => () => [...values];

export interface FloatInput {
  readonly shape: readonly number[];
  readonly sample?: Sampler;
  /** A constant operand (an initializer that is not differentiated). */
  readonly constant?: boolean;
}
export interface IntInput {
  readonly ints: readonly number[];
  readonly shape?: readonly number[];
  /** Default int64. */
  readonly type?: 'int64' | 'bool';
}
export type CaseInput = FloatInput | IntInput | null;

export interface GradCase {
  /** Short description of what the case covers (op + attributes). */
  readonly name: string;
  readonly op: string;
  readonly attrs?: Readonly<Record<string, AttributeValue>>;
  /** Inputs in schema order, keyed by schema name; null for an omitted optional input. */
  readonly inputs: Readonly<Record<string, CaseInput>>;
  /** Number of outputs (default 1); all float outputs are seeded. */
  readonly outputs?: number;
  /** Default float64; float32 where onnxruntime has no float64 kernel. */
  readonly dtype?: FloatType;
  /** Default 17. */
  readonly opset?: number;
  /** Finite-difference step and tolerance, when the dtype's defaults do not fit (mixed precision). */
  readonly epsilon?: number;
  readonly tolerance?: number;
}

export const a = {
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  ints: (value: readonly number[]): AttributeValue => ({ type: 'ints', value: [...value] }),
  floats: (value: readonly number[]): AttributeValue => ({ type: 'floats', value: [...value] }),
  string: (value: string): AttributeValue => ({ type: 'string', value }),
};

function isInt(input: CaseInput): input is IntInput {
  return input !== null && 'ints' in input;
}

function makeFloats(type: FloatType, values: readonly number[]): FloatArray {
  return type === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
}

const size = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

export interface BuiltCase {
  readonly model: Model;
  /** Differentiated inputs with their values. */
  readonly wrt: Map<string, { dims: readonly number[]; data: FloatArray }>;
  readonly outputs: string[];
}

/** A one-node model whose inputs are all initializers. */
export function buildCase(c: GradCase, seed = 1): BuiltCase {
  const type = c.dtype ?? 'float64';
  const random = rng(seed);
  const initializers = new Map<string, Initializer>();
  const wrt = new Map<string, { dims: readonly number[]; data: FloatArray }>();
  const inputs: string[] = [];
  for (const [name, input] of Object.entries(c.inputs)) {
    if (input === null) {
      inputs.push('');
      continue;
    }
    inputs.push(name);
    if (isInt(input)) {
      const dims = input.shape ?? [input.ints.length];
      const data = input.type === 'bool' ? Uint8Array.from(input.ints) : BigInt64Array.from(input.ints, (v) => BigInt(v));
      initializers.set(name, { name, dataType: input.type ?? 'int64', dims: [...dims], data });
      continue;
    }
    const data = makeFloats(type, (input.sample ?? uniform())(size(input.shape), random));
    initializers.set(name, { name, dataType: type, dims: [...input.shape], data });
    if (!input.constant) wrt.set(name, { dims: input.shape, data });
  }
  while (inputs.length > 0 && inputs[inputs.length - 1] === '') inputs.pop();
  const outputs = Array.from({ length: c.outputs ?? 1 }, (_, i) => `Y${i}`);
  const node: Node = { name: c.op, opType: c.op, domain: '', inputs, outputs, attributes: new Map(Object.entries(c.attrs ?? {})) };
  const model: Model = {
    irVersion: 8,
    opsets: new Map([['', c.opset ?? 17]]),
    producerName: 'safer-tests',
    producerVersion: '0',
    graph: { name: c.name, nodes: [node], initializers, inputs: [], outputs: outputs.map((name) => ({ name, elemType: 0, shape: undefined })), valueInfo: [] },
    passthrough: {},
  };
  return { model, wrt, outputs };
}

export interface FdResult {
  readonly input: string;
  readonly fd: number;
  readonly analytic: number;
  /** |fd − analytic| / (‖gradient‖·‖u‖): the error relative to the largest ⟨g, u⟩ could be. */
  readonly error: number;
}

/**
 * JAX-style check: for each differentiated value x_i, a random direction u
 * and random output gradients v; compares ⟨v, (f(x+εu) − f(x−εu)) / 2ε⟩
 * with ⟨Jᵀv, u⟩ from the backward graph.
 */
export async function finiteDifferenceCheck(
  model: Model,
  wrt: ReadonlyMap<string, { dims: readonly number[]; data: FloatArray }>,
  seeds: readonly string[],
  options: { type: FloatType; epsilon?: number; seed?: number; verify?: boolean; prepared?: DifferentiableModel } = { type: 'float64' },
): Promise<FdResult[]> {
  const type = options.type;
  const epsilon = options.epsilon ?? (type === 'float64' ? 1e-6 : 1e-2);
  const random = rng(options.seed ?? 7);
  const prepared = options.prepared ?? (await differentiableModel(model, [{ feeds: {} }], 'case'));
  const floatSeeds = seeds.filter((s) => isFloatType(prepared.shapes.dataType(s)));
  const typeOf = (s: string): FloatType => (prepared.shapes.get(s).type === 'float32' ? 'float32' : 'float64');
  const names = [...wrt.keys()];
  const diff = differentiate(prepared, { wrt: names, seeds: floatSeeds, weightsAsInputs: true });
  const session = await OrtRunner.create(diff.model, 'fd', { threads: 1 });
  try {
    const v = new Map(floatSeeds.map((s) => {
      const shape = prepared.shapes.get(s);
      return [s, { dims: shape.dims, data: makeFloats(typeOf(s), uniform()(size(shape.dims), random)) }] as const;
    }));
    const feedsAt = (values: ReadonlyMap<string, FloatArray>): Record<string, OrtTensor> => {
      const feeds: Record<string, OrtTensor> = {};
      for (const [name, w] of wrt) feeds[name] = makeTensor(type, values.get(name) ?? w.data, w.dims);
      for (const [s, input] of diff.seedInputs) {
        const seed = v.get(s);
        if (seed) feeds[input] = makeTensor(typeOf(s), seed.data, seed.dims);
      }
      return feeds;
    };
    const base = feedsAt(new Map());
    if (options.verify ?? true) await verifyGradientShapes(diff.model, diff.contributions, base, 'case');
    const gradients = await session.run(base, [...diff.gradients.values()]);
    const objective = async (values: ReadonlyMap<string, FloatArray>): Promise<number> => {
      const out = await session.run(feedsAt(values), floatSeeds);
      let total = 0;
      for (const s of floatSeeds) {
        const y = (out[s] as ort.Tensor).data as FloatArray;
        const w = (v.get(s) as { data: FloatArray }).data;
        for (let i = 0; i < y.length; i++) total += (y[i] as number) * (w[i] as number);
      }
      return total;
    };
    const results: FdResult[] = [];
    for (const name of names) {
      const x = (wrt.get(name) as { data: FloatArray }).data;
      const u = uniform()(x.length, random);
      const plus = makeFloats(type, Array.from(x, (xi, i) => xi + epsilon * (u[i] as number)));
      const minus = makeFloats(type, Array.from(x, (xi, i) => xi - epsilon * (u[i] as number)));
      const fd = ((await objective(new Map([[name, plus]]))) - (await objective(new Map([[name, minus]])))) / (2 * epsilon);
      const g = (gradients[diff.gradients.get(name) as string] as ort.Tensor).data as FloatArray;
      let analytic = 0;
      let gNorm = 0;
      let uNorm = 0;
      for (let i = 0; i < x.length; i++) {
        analytic += (g[i] as number) * (u[i] as number);
        gNorm += (g[i] as number) ** 2;
        uNorm += (u[i] as number) ** 2;
      }
      const scale = Math.sqrt(gNorm * uNorm);
      results.push({ input: name, fd, analytic, error: Math.abs(fd - analytic) / Math.max(scale, 1e-12) });
    }
    return results;
  } finally {
    await session.release();
  }
}

/** Runs the gradient graph of a case once and returns the gradients (for exact-value tests). */
export async function gradientsOf(c: GradCase, values: Readonly<Record<string, readonly number[]>>, upstream: Readonly<Record<string, readonly number[]>>): Promise<Map<string, number[]>> {
  const type = c.dtype ?? 'float64';
  const built = buildCase(c);
  for (const [name, vals] of Object.entries(values)) {
    const w = built.wrt.get(name);
    if (w) w.data.set(vals);
    const init = built.model.graph.initializers.get(name);
    if (init) (init.data as FloatArray).set(vals);
  }
  const prepared = await differentiableModel(built.model, [{ feeds: {} }], c.name);
  const diff = differentiate(prepared, { wrt: [...built.wrt.keys()], seeds: built.outputs, weightsAsInputs: true });
  const session = await OrtRunner.create(diff.model, c.name, { threads: 1 });
  try {
    const feeds: Record<string, OrtTensor> = {};
    for (const [name, w] of built.wrt) feeds[name] = makeTensor(type, w.data, w.dims);
    for (const [s, input] of diff.seedInputs) {
      const dims = prepared.shapes.get(s).dims;
      const t = prepared.shapes.get(s).type === 'float32' ? 'float32' : 'float64';
      feeds[input] = makeTensor(t, makeFloats(t, upstream[s] ?? []), dims);
    }
    const out = await session.run(feeds, [...diff.gradients.values()]);
    return new Map([...diff.gradients].map(([w, o]) => [w, Array.from((out[o] as ort.Tensor).data as FloatArray)]));
  } finally {
    await session.release();
  }
}
