/**
 * GradBuilder: emits standard ai.onnx nodes (opset 13 or later) for the
 * backward pass, with fresh names, cached constants, and the element type of
 * every value it creates (so scalar constants match float32 or float64 graphs).
 */
import { assert } from '../errors.js';
import { allocate, onnxTypeCode, dataTypeFromOnnx, type DataType, type TypedArray } from '../onnx/dtypes.js';
import type { AttributeValue, Initializer, Node, Tensor } from '../onnx/ir.js';
import type { ShapeTable } from '../model/shape-table.js';

export type Value = string;
export type Attrs = Readonly<Record<string, AttributeValue>>;

/** Typed attribute constructors: `attr.ints([1, 1])`, `attr.float(0.5)`. */
export const attr = {
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  ints: (value: readonly number[]): AttributeValue => ({ type: 'ints', value: [...value] }),
  floats: (value: readonly number[]): AttributeValue => ({ type: 'floats', value: [...value] }),
  string: (value: string): AttributeValue => ({ type: 'string', value }),
  tensor: (value: Tensor): AttributeValue => ({ type: 'tensor', value }),
};

const BOOL_OUTPUT = new Set(['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
const INT64_OUTPUT = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero']);

export class GradBuilder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Initializer>();
  private readonly types = new Map<Value, DataType>();
  private readonly used: Set<string>;
  private readonly constants = new Map<string, Value>();
  private readonly shapeValues = new Map<Value, Value>();
  private counter = 0;
  private scope = 'grad';

  constructor(
    readonly opset: number,
    readonly shapes: ShapeTable,
    usedNames: Iterable<string>,
  ) {
    assert(opset >= 13, () => `GradBuilder needs opset 13 or later, got ${opset}`);
    this.used = new Set(usedNames);
  }

  /** Runs `fn` with node and value names prefixed by `scope` (the forward node being differentiated). */
  withScope<T>(scope: string, fn: () => T): T {
    const saved = this.scope;
    this.scope = scope;
    try {
      return fn();
    } finally {
      this.scope = saved;
    }
  }

  fresh(hint: string): string {
    for (;;) {
      const name = `${this.scope}/${hint}_${this.counter++}`;
      if (!this.used.has(name)) {
        this.used.add(name);
        return name;
      }
    }
  }

  /** A name derived from `base` that nothing else uses. */
  freshExact(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  typeOf(value: Value): DataType {
    const t = this.types.get(value) ?? (this.shapes.has(value) ? this.shapes.dataType(value) : undefined);
    assert(t, () => `element type of "${value}" unknown`);
    return t;
  }

  setType(value: Value, type: DataType): void {
    this.types.set(value, type);
  }

  /** Emits one node; returns its outputs. */
  node(opType: string, inputs: readonly Value[], attrs: Attrs = {}, outputs = 1, types?: readonly DataType[]): Value[] {
    const names = Array.from({ length: outputs }, () => this.fresh(opType));
    const outTypes = types ?? this.inferTypes(opType, inputs, attrs, outputs);
    names.forEach((n, i) => {
      const t = outTypes[i];
      if (t) this.types.set(n, t);
    });
    this.nodes.push({
      name: this.fresh(`${opType}_node`),
      opType,
      domain: '',
      inputs: [...inputs],
      outputs: names,
      attributes: new Map(Object.entries(attrs)),
    });
    return names;
  }

  op(opType: string, inputs: readonly Value[], attrs: Attrs = {}): Value {
    return this.node(opType, inputs, attrs, 1)[0] as Value;
  }

  private inferTypes(opType: string, inputs: readonly Value[], attrs: Attrs, outputs: number): (DataType | undefined)[] {
    const first = inputs.find((v) => v !== '');
    const firstType = first === undefined ? undefined : this.typeOf(first);
    let type: DataType | undefined = firstType;
    if (BOOL_OUTPUT.has(opType)) type = 'bool';
    else if (INT64_OUTPUT.has(opType)) type = 'int64';
    else if (opType === 'Cast') {
      const to = attrs['to'];
      type = to?.type === 'int' ? dataTypeFromOnnx(to.value) : undefined;
    } else if (opType === 'ConstantOfShape') {
      const v = attrs['value'];
      type = v?.type === 'tensor' ? v.value.dataType : 'float32';
    } else if (opType === 'Where') type = this.typeOf(inputs[1] as Value);
    else if (opType === 'OneHot') type = this.typeOf(inputs[2] as Value);
    const types: (DataType | undefined)[] = Array.from({ length: outputs }, () => type);
    if (opType === 'MaxPool' && outputs > 1) types[1] = 'int64';
    return types;
  }

  // ------------------------------------------------------------ constants

  /** A constant tensor (cached by content). */
  constant(type: DataType, dims: readonly number[], data: TypedArray, hint = 'const'): Value {
    const key = `${type}|${dims.join(',')}|${Array.from(data as ArrayLike<number | bigint>, String).join(',')}`;
    const cached = key.length < 2000 ? this.constants.get(key) : undefined;
    if (cached) return cached;
    const name = this.fresh(hint);
    this.initializers.set(name, { name, dataType: type, dims: [...dims], data });
    this.types.set(name, type);
    if (key.length < 2000) this.constants.set(key, name);
    return name;
  }

  /** A scalar of the given float type. */
  scalar(value: number, type: DataType): Value {
    const data = allocate(type, 1);
    (data as Float32Array)[0] = value;
    return this.constant(type, [], data, 'scalar');
  }

  /** A scalar of the same element type as `like`. */
  scalarLike(value: number, like: Value): Value {
    return this.scalar(value, this.typeOf(like));
  }

  /** A 1-D int64 constant. */
  ints(values: readonly number[]): Value {
    return this.constant('int64', [values.length], BigInt64Array.from(values, (v) => BigInt(v)), 'ints');
  }

  // ------------------------------------------------------------ shapes

  /** The shape of a forward value as an int64 tensor: a constant when no axis depends on the batch size. */
  shapeOf(value: Value): Value {
    const cached = this.shapeValues.get(value);
    if (cached) return cached;
    const s = this.shapes.get(value);
    const shape = s.dynamic.some((d) => d) ? this.op('Shape', [value]) : this.ints(s.dims);
    this.shapeValues.set(value, shape);
    return shape;
  }

  /** Size of one axis of a forward value as an int64 [1] tensor. */
  dimOf(value: Value, axis: number): Value {
    const s = this.shapes.get(value);
    const a = axis < 0 ? axis + s.dims.length : axis;
    if (!s.dynamic[a]) return this.ints([s.dims[a] as number]);
    return this.slice(this.shapeOf(value), [a], [a + 1], [0]);
  }

  /** Zeros shaped like a forward value. */
  zerosLike(value: Value): Value {
    return this.zeros(this.shapeOf(value), this.typeOf(value));
  }

  zeros(shape: Value, type: DataType): Value {
    const data = allocate(type, 1);
    return this.node('ConstantOfShape', [shape], { value: attr.tensor({ dataType: type, dims: [1], data }) }, 1, [type])[0] as Value;
  }

  // ------------------------------------------------------------ element-wise

  add(a: Value, b: Value): Value { return this.op('Add', [a, b]); }
  sub(a: Value, b: Value): Value { return this.op('Sub', [a, b]); }
  mul(a: Value, b: Value): Value { return this.op('Mul', [a, b]); }
  div(a: Value, b: Value): Value { return this.op('Div', [a, b]); }
  neg(x: Value): Value { return this.op('Neg', [x]); }
  exp(x: Value): Value { return this.op('Exp', [x]); }
  log(x: Value): Value { return this.op('Log', [x]); }
  sqrt(x: Value): Value { return this.op('Sqrt', [x]); }
  reciprocal(x: Value): Value { return this.op('Reciprocal', [x]); }
  sigmoid(x: Value): Value { return this.op('Sigmoid', [x]); }
  pow(x: Value, p: Value): Value { return this.op('Pow', [x, p]); }
  greater(a: Value, b: Value): Value { return this.op('Greater', [a, b]); }
  less(a: Value, b: Value): Value { return this.op('Less', [a, b]); }
  greaterOrEqual(a: Value, b: Value): Value { return this.op('GreaterOrEqual', [a, b]); }
  lessOrEqual(a: Value, b: Value): Value { return this.op('LessOrEqual', [a, b]); }
  equal(a: Value, b: Value): Value { return this.op('Equal', [a, b]); }
  and(a: Value, b: Value): Value { return this.op('And', [a, b]); }
  or(a: Value, b: Value): Value { return this.op('Or', [a, b]); }
  not(a: Value): Value { return this.op('Not', [a]); }
  where(cond: Value, a: Value, b: Value): Value { return this.op('Where', [cond, a, b]); }

  /** x · c for a number c (no node when c = 1). */
  scale(x: Value, c: number): Value {
    return c === 1 ? x : this.mul(x, this.scalarLike(c, x));
  }

  /** dY where `cond` holds, 0 elsewhere. */
  mask(dY: Value, cond: Value): Value {
    return this.where(cond, dY, this.scalarLike(0, dY));
  }

  cast(x: Value, type: DataType): Value {
    if (this.typeOf(x) === type) return x;
    return this.op('Cast', [x], { to: attr.int(onnxTypeCode(type)) });
  }

  /** Sum of one or more same-shaped values. */
  sum(values: readonly Value[]): Value {
    if (values.length === 1) return values[0] as Value;
    return this.op('Sum', values);
  }

  // ------------------------------------------------------------ shape ops

  reduceSum(x: Value, axes: readonly number[], keepdims: boolean): Value {
    if (axes.length === 0) return x;
    return this.op('ReduceSum', [x, this.ints(axes)], { keepdims: attr.int(keepdims ? 1 : 0) });
  }

  reshape(x: Value, shape: Value): Value { return this.op('Reshape', [x, shape]); }
  reshapeTo(x: Value, dims: readonly number[]): Value { return this.reshape(x, this.ints(dims)); }
  expand(x: Value, shape: Value): Value { return this.op('Expand', [x, shape]); }

  transpose(x: Value, perm: readonly number[]): Value {
    if (perm.every((p, i) => p === i)) return x;
    return this.op('Transpose', [x], { perm: attr.ints(perm) });
  }

  /** Swaps the last two axes of a value of the given rank. */
  transposeLast2(x: Value, rank: number): Value {
    const perm = Array.from({ length: rank }, (_, i) => i);
    perm[rank - 2] = rank - 1;
    perm[rank - 1] = rank - 2;
    return this.transpose(x, perm);
  }

  squeeze(x: Value, axes: readonly number[]): Value {
    if (axes.length === 0) return x;
    return this.op('Squeeze', [x, this.ints(axes)]);
  }

  unsqueeze(x: Value, axes: readonly number[]): Value {
    if (axes.length === 0) return x;
    return this.op('Unsqueeze', [x, this.ints(axes)]);
  }

  slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): Value {
    const inputs = [x, this.ints(starts), this.ints(ends), this.ints(axes)];
    if (steps) inputs.push(this.ints(steps));
    return this.op('Slice', inputs);
  }

  /** Constant-mode Pad with zeros; pads = [begin_0, ..., begin_r, end_0, ..., end_r]. */
  pad(x: Value, pads: readonly number[]): Value {
    if (pads.every((p) => p === 0)) return x;
    return this.op('Pad', [x, this.ints(pads)], { mode: attr.string('constant') });
  }

  concat(values: readonly Value[], axis: number): Value {
    if (values.length === 1) return values[0] as Value;
    return this.op('Concat', values, { axis: attr.int(axis) });
  }

  split(x: Value, sizes: Value, axis: number, outputs: number): Value[] {
    return this.node('Split', [x, sizes], { axis: attr.int(axis) }, outputs);
  }

  matmul(a: Value, b: Value): Value { return this.op('MatMul', [a, b]); }
}
