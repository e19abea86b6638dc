/**
 * Lifts a model to a newer default-domain opset (16, the lowest the gradient
 * rules emit: ScatterElements with reduction), so that the backward pass can
 * use one set of op signatures. Each node whose op changed between the two
 * versions is either known to be compatible (new types or attributes whose
 * defaults keep the old meaning) or rewritten (attributes that became inputs,
 * legacy broadcasting, the 2-D Softmax of opset < 13, inference Dropout);
 * anything else is refused with an UnsupportedOpError.
 */
import { oneLine, UnsupportedOpError } from '../errors.js';
import { attrFloat, attrInt, attrInts, attrString } from './attrs.js';
import { dataTypeFromOnnx, onnxTypeCode, type DataType, type TypedArray } from './dtypes.js';
import { GraphIndex } from './graph.js';
import { defaultOpset, type AttributeValue, type Initializer, type Model, type Node } from './ir.js';

/** The opset the gradient graph is built at, unless the model's is newer. */
export const GRADIENT_OPSET = 16;

/** since_version of every default-domain op with more than one version up to 16 (from onnx 1.12's schemas). */
const HISTORY_TEXT = `Abs:1,6,13 Add:1,6,7,13,14 And:1,7 ArgMax:1,11,12,13 ArgMin:1,11,12,13 AveragePool:1,7,10,11
BatchNormalization:1,6,7,9,14,15 Cast:1,6,9,13 Ceil:1,6,13 Clip:1,6,11,12,13 Compress:9,11 Concat:1,4,11,13
Constant:1,9,11,12,13 Conv:1,11 ConvTranspose:1,11 CumSum:11,14 DepthToSpace:1,11,13 DequantizeLinear:10,13
Div:1,6,7,13,14 Dropout:1,6,7,10,12,13 Elu:1,6 Equal:1,7,11,13 Erf:9,13 Exp:1,6,13 Expand:8,13
Flatten:1,9,11,13 Floor:1,6,13 GRU:1,3,7,14 Gather:1,11,13 GatherElements:11,13 GatherND:11,12,13
Gemm:1,6,7,9,11,13 GlobalLpPool:1,2 Greater:1,7,9,13 GreaterOrEqual:12,16 HardSigmoid:1,6 Hardmax:1,11,13
Identity:1,13,14,16 If:1,11,13,16 InstanceNormalization:1,6 IsNaN:9,13 LRN:1,13 LSTM:1,7,14 LeakyRelu:1,6,16
Less:1,7,9,13 LessOrEqual:12,16 Log:1,6,13 LogSoftmax:1,11,13 Loop:1,11,13,16 LpPool:1,2,11 MatMul:1,9,13
Max:1,6,8,12,13 MaxPool:1,8,10,11,12 MaxUnpool:9,11 Mean:1,6,8,13 MeanVarianceNormalization:9,13
Min:1,6,8,12,13 Mod:10,13 Mul:1,6,7,13,14 Neg:1,6,13 NegativeLogLikelihoodLoss:12,13 NonMaxSuppression:10,11
NonZero:9,13 OneHot:9,11 Or:1,7 PRelu:1,6,7,9,16 Pad:1,2,11,13 Pow:1,7,12,13,15 QuantizeLinear:10,13
RNN:1,7,14 Reciprocal:1,6,13 ReduceL1:1,11,13 ReduceL2:1,11,13 ReduceLogSum:1,11,13 ReduceLogSumExp:1,11,13
ReduceMax:1,11,12,13 ReduceMean:1,11,13 ReduceMin:1,11,12,13 ReduceProd:1,11,13 ReduceSum:1,11,13
ReduceSumSquare:1,11,13 Relu:1,6,13,14 Reshape:1,5,13,14 Resize:10,11,13 RoiAlign:10,16 Scan:8,9,11,16
Scatter:9,11 ScatterElements:11,13,16 ScatterND:11,13,16 Selu:1,6 Shape:1,13,15 Sigmoid:1,6,13 Sign:9,13
Size:1,13 Slice:1,10,11,13 Softmax:1,11,13 SoftmaxCrossEntropyLoss:12,13 SpaceToDepth:1,13 Split:1,2,11,13
Sqrt:1,6,13 Squeeze:1,11,13 Sub:1,6,7,13,14 Sum:1,6,8,13 Tanh:1,6,13 Tile:1,6,13 TopK:1,10,11 Transpose:1,13
Unsqueeze:1,11,13 Upsample:1,7,9,10 Where:9,16 Xor:1,7`;

const HISTORY = new Map<string, number[]>(
  HISTORY_TEXT.split(/\s+/).map((item) => {
    const [op, versions] = item.split(':') as [string, string];
    return [op, versions.split(',').map(Number)];
  }),
);

function sinceVersion(op: string, opset: number): number {
  const versions = HISTORY.get(op);
  if (!versions) return 1;
  let since = 0;
  for (const v of versions) if (v <= opset) since = v;
  return since;
}

/**
 * The version from which an op reads the same at 16 (apart from the legacy
 * `consumed_inputs` attribute): later versions only added types or attributes
 * whose defaults keep the old behaviour.
 */
const COMPATIBLE_FROM: Readonly<Record<string, number>> = {
  Abs: 1, Add: 7, And: 7, ArgMax: 1, ArgMin: 1, AveragePool: 1, BatchNormalization: 9, Cast: 6, Ceil: 1,
  Clip: 11, Concat: 4, Constant: 1, Conv: 1, ConvTranspose: 1, CumSum: 11, DepthToSpace: 1, DequantizeLinear: 10,
  Div: 7, Dropout: 12, Elu: 1, Equal: 7, Erf: 9, Exp: 1, Expand: 8, Flatten: 1, Floor: 1, Gather: 1,
  GatherElements: 11, GatherND: 11, Gemm: 7, Greater: 7, GreaterOrEqual: 12, HardSigmoid: 1, Identity: 1,
  InstanceNormalization: 1, IsNaN: 9, LRN: 1, LeakyRelu: 1, Less: 7, LessOrEqual: 12, Log: 1, LogSoftmax: 13,
  MatMul: 1, Max: 1, MaxPool: 1, Mean: 1, MeanVarianceNormalization: 9, Min: 1, Mod: 10, Mul: 7, Neg: 1,
  NonZero: 9, OneHot: 9, Or: 7, PRelu: 7, Pad: 11, Pow: 7, QuantizeLinear: 10, Reciprocal: 1, ReduceL1: 1,
  ReduceL2: 1, ReduceLogSum: 1, ReduceLogSumExp: 1, ReduceMax: 1, ReduceMean: 1, ReduceMin: 1, ReduceProd: 1,
  ReduceSum: 13, ReduceSumSquare: 1, Relu: 1, Reshape: 5, Resize: 11, ScatterElements: 11, ScatterND: 11,
  Selu: 1, Shape: 1, Sigmoid: 1, Sign: 9, Size: 1, Slice: 10, Softmax: 13, Hardmax: 13, SpaceToDepth: 1,
  Split: 13, Sqrt: 1, Squeeze: 13, Sub: 7, Sum: 1, Tanh: 1, Tile: 6, TopK: 10, Transpose: 1, Unsqueeze: 13,
  Where: 9, Xor: 7,
};

interface UpgradeContext {
  readonly from: number;
  readonly index: GraphIndex;
  /** Rank of a value if the model declares it. */
  rank(value: string): number | undefined;
  /** Element type of a value if the model declares it. */
  dataType(value: string): DataType | undefined;
  constant(type: DataType, dims: readonly number[], data: TypedArray): string;
  fresh(hint: string): string;
  /** The error for a node that cannot be lifted. */
  error(node: Node, why: string): UnsupportedOpError;
}

type Handler = (node: Node, ctx: UpgradeContext) => Node[];

/** Returns `model` at opset `target` or later (unchanged if it already is). */
export function upgradeOpset(model: Model, target = GRADIENT_OPSET, source = 'model'): Model {
  const from = defaultOpset(model);
  if (from >= target) return model;
  const graph = model.graph;
  const index = new GraphIndex(graph);
  const initializers = new Map(graph.initializers);
  const used = new Set<string>([...initializers.keys(), ...graph.inputs.map((v) => v.name)]);
  for (const n of graph.nodes) {
    used.add(n.name);
    for (const o of n.outputs) used.add(o);
  }
  const declared = new Map([...graph.inputs, ...graph.outputs, ...graph.valueInfo].map((v) => [v.name, v]));
  let counter = 0;
  const ctx: UpgradeContext = {
    from,
    index,
    rank: (v) => initializers.get(v)?.dims.length ?? declared.get(v)?.shape?.length,
    dataType: (v) => {
      const init = initializers.get(v);
      if (init) return init.dataType;
      const code = declared.get(v)?.elemType;
      return code ? dataTypeFromOnnx(code) : undefined;
    },
    fresh: (hint) => {
      let name: string;
      do name = `upgrade/${hint}_${counter++}`;
      while (used.has(name));
      used.add(name);
      return name;
    },
    constant: (type, dims, data) => {
      const name = ctx.fresh('const');
      initializers.set(name, { name, dataType: type, dims: [...dims], data } satisfies Initializer);
      return name;
    },
    error: (node, why) => {
      const e = new UnsupportedOpError(node.opType, from, node.name, []);
      e.message = oneLine(`${source}: node "${node.name}" (${node.opType}, opset ${from}) cannot be lifted to opset ${target} for differentiation: ${why}`);
      return e;
    },
  };
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      nodes.push(node);
      continue;
    }
    const before = sinceVersion(node.opType, from);
    const after = sinceVersion(node.opType, target);
    if (before === after) {
      nodes.push(node);
      continue;
    }
    const handler = HANDLERS[node.opType];
    const compatibleFrom = COMPATIBLE_FROM[node.opType];
    if (compatibleFrom !== undefined && before >= compatibleFrom) nodes.push(withoutAttrs(node, ['consumed_inputs']));
    else if (handler) nodes.push(...handler(withoutAttrs(node, ['consumed_inputs']), ctx));
    else throw ctx.error(node, `its definition changed in opset ${after}`);
  }
  const opsets = new Map(model.opsets);
  opsets.set(model.opsets.has('ai.onnx') && !model.opsets.has('') ? 'ai.onnx' : '', target);
  return {
    ...model,
    irVersion: Math.max(model.irVersion, 8),
    opsets,
    graph: { ...graph, nodes, initializers },
  };
}

function withoutAttrs(node: Node, names: readonly string[]): Node {
  if (!names.some((n) => node.attributes.has(n))) return node;
  return { ...node, attributes: new Map([...node.attributes].filter(([k]) => !names.includes(k))) };
}

function withAttrs(node: Node, set: Readonly<Record<string, AttributeValue>>, drop: readonly string[] = []): Node {
  const attributes = new Map([...node.attributes].filter(([k]) => !drop.includes(k)));
  for (const [k, v] of Object.entries(set)) attributes.set(k, v);
  return { ...node, attributes };
}

function int64s(ctx: UpgradeContext, values: readonly number[]): string {
  return ctx.constant('int64', [values.length], BigInt64Array.from(values, (v) => BigInt(v)));
}

function scalarOf(ctx: UpgradeContext, type: DataType, value: number): string {
  const data = type === 'float64' ? Float64Array.of(value) : Float32Array.of(value);
  return ctx.constant(type === 'float64' ? 'float64' : 'float32', [], data);
}

/** An attribute that became an input: `node` gets `inputs` appended at the given positions. */
function withInputs(node: Node, inputs: readonly string[], dropAttrs: readonly string[]): Node {
  return { ...withoutAttrs(node, dropAttrs), inputs: [...node.inputs, ...inputs] };
}

/** Legacy broadcasting (opset < 7): B aligned at `axis` of A; numpy aligns trailing axes. */
const legacyBroadcast: Handler = (node, ctx) => {
  const clean = withoutAttrs(node, ['broadcast', 'axis']);
  if (attrInt(node, 'broadcast', 0) !== 1 || !node.attributes.has('axis')) return [clean];
  const [a, b] = node.inputs as [string, string];
  const ra = ctx.rank(a);
  const rb = ctx.rank(b);
  if (ra === undefined || rb === undefined) throw ctx.error(node, 'legacy broadcasting with an axis needs the ranks of both inputs');
  const axis = attrInt(node, 'axis', 0);
  const trailing = ra - (axis < 0 ? axis + ra : axis) - rb;
  if (trailing <= 0) return [clean];
  const aligned = ctx.fresh('aligned');
  const axes = Array.from({ length: trailing }, (_, i) => rb + i);
  return [
    { name: ctx.fresh('Unsqueeze'), opType: 'Unsqueeze', domain: '', inputs: [b, int64s(ctx, axes)], outputs: [aligned], attributes: new Map() },
    { ...clean, inputs: [a, aligned] },
  ];
};

const axesToInput: Handler = (node, ctx) => {
  const axes = attrInts(node, 'axes');
  return [axes ? withInputs(node, [int64s(ctx, axes)], ['axes']) : node];
};

/** Softmax-family before 13: softmax over the flattened axes from `axis` on. */
const coercedSoftmax: Handler = (node, ctx) => {
  const input = node.inputs[0] as string;
  const axis = attrInt(node, 'axis', 1);
  const rank = ctx.rank(input);
  if (axis === -1 || (rank !== undefined && (axis === rank - 1 || axis + rank === rank - 1))) {
    return [withAttrs(node, { axis: { type: 'int', value: -1 } })];
  }
  const flat = ctx.fresh('flat');
  const out = ctx.fresh('softmax2d');
  const shape = ctx.fresh('shape');
  return [
    { name: ctx.fresh('Flatten'), opType: 'Flatten', domain: '', inputs: [input], outputs: [flat], attributes: new Map([['axis', { type: 'int', value: axis }]]) },
    { ...withAttrs(node, { axis: { type: 'int', value: 1 } }), inputs: [flat], outputs: [out] },
    { name: ctx.fresh('Shape'), opType: 'Shape', domain: '', inputs: [input], outputs: [shape], attributes: new Map() },
    { name: ctx.fresh('Reshape'), opType: 'Reshape', domain: '', inputs: [out, shape], outputs: [node.outputs[0] as string], attributes: new Map() },
  ];
};

const HANDLERS: Readonly<Record<string, Handler>> = {
  Add: legacyBroadcast,
  Sub: legacyBroadcast,
  Mul: legacyBroadcast,
  Div: legacyBroadcast,
  Pow: legacyBroadcast,
  And: legacyBroadcast,
  Or: legacyBroadcast,
  Xor: legacyBroadcast,
  Equal: legacyBroadcast,
  Greater: legacyBroadcast,
  Less: legacyBroadcast,
  Gemm: (node) => [withoutAttrs(node, ['broadcast'])],
  BatchNormalization: (node, ctx) => {
    if (attrInt(node, 'spatial', 1) !== 1) throw ctx.error(node, 'spatial = 0 (per-position statistics) is not supported');
    const extra = node.outputs.slice(1).filter((o) => o !== '' && ctx.index.consumers(o).length > 0);
    if (extra.length > 0) throw ctx.error(node, 'training-mode outputs are used');
    return [{ ...withoutAttrs(node, ['spatial', 'is_test', 'momentum']), outputs: node.outputs.slice(0, 1) }];
  },
  Dropout: (node, ctx) => {
    const mask = node.outputs[1];
    if (mask && ctx.index.consumers(mask).length > 0) throw ctx.error(node, 'its mask output is used');
    return [{ name: node.name, opType: 'Identity', domain: '', inputs: node.inputs.slice(0, 1), outputs: node.outputs.slice(0, 1), attributes: new Map() }];
  },
  Cast: (node, ctx) => {
    const to = node.attributes.get('to');
    if (to?.type !== 'string') return [node];
    const names: Record<string, DataType> = { FLOAT: 'float32', DOUBLE: 'float64', FLOAT16: 'float16', INT8: 'int8', UINT8: 'uint8', INT16: 'int16', UINT16: 'uint16', INT32: 'int32', UINT32: 'uint32', INT64: 'int64', UINT64: 'uint64', BOOL: 'bool' };
    const type = names[to.value.toUpperCase()];
    if (!type) throw ctx.error(node, `unknown target type "${to.value}"`);
    return [withAttrs(node, { to: { type: 'int', value: onnxTypeCode(type) } })];
  },
  Clip: (node, ctx) => {
    const type = ctx.dataType(node.inputs[0] as string) ?? 'float32';
    const min = node.attributes.has('min') ? scalarOf(ctx, type, attrFloat(node, 'min', 0)) : '';
    const max = node.attributes.has('max') ? scalarOf(ctx, type, attrFloat(node, 'max', 0)) : '';
    return [withInputs({ ...node, inputs: node.inputs.slice(0, 1) }, max === '' ? [min] : [min, max], ['min', 'max'])];
  },
  Concat: (node) => [node.attributes.has('axis') ? node : withAttrs(node, { axis: { type: 'int', value: 1 } })],
  Pad: (node, ctx) => {
    const pads = attrInts(node, 'pads') ?? attrInts(node, 'paddings');
    if (!pads) throw ctx.error(node, 'no pads attribute');
    const mode = attrString(node, 'mode', 'constant');
    const type = ctx.dataType(node.inputs[0] as string) ?? 'float32';
    const value = mode === 'constant' ? [scalarOf(ctx, type, attrFloat(node, 'value', 0))] : [];
    return [withInputs(withAttrs(node, { mode: { type: 'string', value: mode } }), [int64s(ctx, pads), ...value], ['pads', 'paddings', 'value'])];
  },
  Slice: (node, ctx) => {
    const starts = attrInts(node, 'starts') ?? [];
    const ends = attrInts(node, 'ends') ?? [];
    const axes = attrInts(node, 'axes');
    const extra = [int64s(ctx, starts), int64s(ctx, ends), ...(axes ? [int64s(ctx, axes)] : [])];
    return [withInputs(node, extra, ['starts', 'ends', 'axes'])];
  },
  Squeeze: axesToInput,
  Unsqueeze: axesToInput,
  ReduceSum: axesToInput,
  Split: (node, ctx) => {
    const split = attrInts(node, 'split');
    return [split && node.inputs.length < 2 ? withInputs(node, [int64s(ctx, split)], ['split']) : withoutAttrs(node, ['split'])];
  },
  Reshape: (node, ctx) => {
    const shape = attrInts(node, 'shape');
    if (!shape) throw ctx.error(node, 'no shape attribute');
    return [withInputs(node, [int64s(ctx, shape)], ['shape'])];
  },
  Softmax: coercedSoftmax,
  LogSoftmax: coercedSoftmax,
  Hardmax: coercedSoftmax,
  PRelu: (node, ctx) => {
    const [x, slope] = node.inputs as [string, string];
    const rx = ctx.rank(x);
    const rs = ctx.rank(slope);
    if (rs !== 1 || rx === undefined || rx <= 2) return [node];
    const aligned = ctx.fresh('slope');
    const axes = Array.from({ length: rx - 2 }, (_, i) => i + 1);
    return [
      { name: ctx.fresh('Unsqueeze'), opType: 'Unsqueeze', domain: '', inputs: [slope, int64s(ctx, axes)], outputs: [aligned], attributes: new Map() },
      { ...node, inputs: [x, aligned] },
    ];
  },
};
