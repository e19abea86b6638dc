/**
 * Conversion between onnx-proto messages and safer's IR (ir.ts).
 * Pitfalls handled here: `raw_data` arrives as a view into the whole file
 * buffer at any offset (copied before reinterpretation), values may sit in
 * typed fields or in external files, int64 values arrive as Long objects.
 */
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';
import { ModelLoadError } from '../errors.js';
import {
  allocate, bytesPerElement, dataTypeFromOnnx, onnxTypeCode, onnxTypeName, sizeOf,
  type DataType, type TypedArray,
} from './dtypes.js';
import type { AttributeValue, Dim, Graph, Initializer, Model, Node, Tensor, ValueInfo } from './ir.js';

// onnx-proto is CommonJS: required rather than imported, so that node does not scan its 330 kB of
// generated code for named exports on every start (about 10 ms).
const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');

/** A protobuf int64 as it comes out of protobufjs: a number or a Long-like object. */
type Int64Like = number | { toNumber(): number } | null | undefined;

function toNumber(v: Int64Like): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

const ATTR = onnx.AttributeProto.AttributeType;

/** Reads external tensor bytes: (location, offset, length) relative to the model's folder. */
export type ExternalReader = (location: string, offset: number, length: number | undefined) => Uint8Array;

export function decodeModel(bytes: Uint8Array, source: string, readExternal?: ExternalReader): Model {
  let proto: OnnxNs.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelLoadError(`${source}: not a valid ONNX model (protobuf decoding failed: ${(e as Error).message}); is the file truncated or not ONNX?`);
  }
  if (!proto.graph || (proto.graph.node?.length ?? 0) === 0) {
    throw new ModelLoadError(`${source}: not an ONNX model (no graph or no nodes found)`);
  }
  const opsets = new Map<string, number>();
  for (const o of proto.opsetImport ?? []) opsets.set(o.domain ?? '', toNumber(o.version as Int64Like));
  const graph = decodeGraph(proto.graph, source, readExternal);
  const passthrough: OnnxNs.IModelProto = {
    docString: proto.docString,
    domain: proto.domain,
    modelVersion: proto.modelVersion,
    metadataProps: proto.metadataProps,
    trainingInfo: proto.trainingInfo,
    functions: proto.functions,
  };
  return {
    irVersion: toNumber(proto.irVersion as Int64Like),
    opsets,
    producerName: proto.producerName ?? '',
    producerVersion: proto.producerVersion ?? '',
    graph,
    passthrough,
  };
}

function decodeGraph(g: OnnxNs.IGraphProto, source: string, readExternal?: ExternalReader): Graph {
  const initializers = new Map<string, Initializer>();
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    initializers.set(name, { name, ...decodeTensor(t, `${source}: initializer "${name}"`, readExternal) });
  }
  const nodes = (g.node ?? []).map((n, i) => decodeNode(n, i, source));
  return {
    name: g.name ?? 'graph',
    nodes,
    initializers,
    inputs: (g.input ?? []).map(decodeValueInfo),
    outputs: (g.output ?? []).map(decodeValueInfo),
    valueInfo: (g.valueInfo ?? []).map(decodeValueInfo),
  };
}

function decodeNode(n: OnnxNs.INodeProto, index: number, source: string): Node {
  const opType = n.opType ?? '';
  const name = n.name && n.name.length > 0 ? n.name : `${opType}_${index}`;
  const attributes = new Map<string, AttributeValue>();
  for (const a of n.attribute ?? []) {
    attributes.set(a.name ?? '', decodeAttribute(a, `${source}: node "${name}"`));
  }
  return { name, opType, domain: n.domain ?? '', inputs: n.input ?? [], outputs: n.output ?? [], attributes };
}

const utf8 = new TextDecoder();

function decodeAttribute(a: OnnxNs.IAttributeProto, where: string): AttributeValue {
  switch (a.type) {
    case ATTR.FLOAT: return { type: 'float', value: a.f ?? 0 };
    case ATTR.INT: return { type: 'int', value: toNumber(a.i as Int64Like) };
    case ATTR.STRING: return { type: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case ATTR.TENSOR: return { type: 'tensor', value: decodeTensor(a.t ?? {}, `${where} attribute ${a.name ?? ''}`) };
    case ATTR.FLOATS: return { type: 'floats', value: a.floats ?? [] };
    case ATTR.INTS: return { type: 'ints', value: (a.ints ?? []).map((v) => toNumber(v as Int64Like)) };
    case ATTR.STRINGS: return { type: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    default: return { type: 'raw', value: a };
  }
}

function decodeValueInfo(v: OnnxNs.IValueInfoProto): ValueInfo {
  const tensorType = v.type?.tensorType;
  const dims = tensorType?.shape?.dim;
  const shape: Dim[] | undefined = tensorType?.shape
    ? (dims ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue as Int64Like) : null))
    : undefined;
  return { name: v.name ?? '', elemType: tensorType?.elemType ?? 0, shape };
}

/** Decodes a TensorProto's values from raw_data, a typed field, or external data. */
export function decodeTensor(t: OnnxNs.ITensorProto, where: string, readExternal?: ExternalReader): Tensor {
  const code = t.dataType ?? 0;
  const dataType = dataTypeFromOnnx(code);
  if (dataType === undefined) {
    throw new ModelLoadError(`${where}: element type ${onnxTypeName(code)} is not supported`);
  }
  const dims = (t.dims ?? []).map((d) => toNumber(d as Int64Like));
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ModelLoadError(`${where}: has dims [${dims.join(', ')}]; dims must be integers ≥ 0`);
  }
  const n = sizeOf(dims);
  const expected = n * bytesPerElement(dataType);
  const external = t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
  if (external || (t.rawData && t.rawData.length > 0)) {
    // The stored bytes are checked against the dims before anything is allocated for them.
    const bytes = external ? readExternalBytes(t, where, readExternal, expected) : (t.rawData as Uint8Array);
    if (bytes.length !== expected) {
      throw new ModelLoadError(`${where}: holds ${bytes.length} bytes, but dims [${dims.join(', ')}] need ${expected}`);
    }
    // Copy into the fresh, aligned array (raw_data may be unaligned and shares the file buffer).
    const data = allocate(dataType, n);
    new Uint8Array(data.buffer, data.byteOffset, expected).set(bytes);
    return { dataType, dims, data };
  }
  const data = fillFromTypedField(dataType, t, where, n);
  return { dataType, dims, data };
}

function readExternalBytes(t: OnnxNs.ITensorProto, where: string, readExternal: ExternalReader | undefined, expected: number): Uint8Array {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new ModelLoadError(`${where}: external data without a location`);
  if (!readExternal) throw new ModelLoadError(`${where}: stored in external file "${location}", which cannot be read here`);
  const offset = Number(entries.get('offset') ?? '0');
  const length = entries.has('length') ? Number(entries.get('length')) : expected;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new ModelLoadError(`${where}: external data "${location}" has offset ${entries.get('offset') ?? '0'} and length ${entries.get('length') ?? '-'}; both must be integers ≥ 0`);
  }
  if (length !== expected) {
    throw new ModelLoadError(`${where}: external data "${location}" holds ${length} bytes, but the dims need ${expected}`);
  }
  return readExternal(location, offset, length);
}

function fillFromTypedField(type: DataType, t: OnnxNs.ITensorProto, where: string, n: number): TypedArray {
  const source: readonly (number | bigint)[] | undefined = (() => {
    switch (type) {
      case 'float32': return t.floatData ?? undefined;
      case 'float64': return t.doubleData ?? undefined;
      case 'int64': return (t.int64Data ?? []).map((v) => BigInt(int64String(v as Int64Like)));
      case 'uint64': return (t.uint64Data ?? []).map((v) => BigInt.asUintN(64, BigInt(int64String(v as Int64Like))));
      case 'uint32': return (t.uint64Data ?? []).map((v) => toNumber(v as Int64Like));
      default: return t.int32Data ?? undefined; // int8/16/32, uint8/16, bool, float16 bits
    }
  })();
  const values = source ?? [];
  if (values.length !== n) {
    throw new ModelLoadError(`${where}: has ${values.length} values, but dims need ${n}`);
  }
  const data = allocate(type, n);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) data[i] = values[i] as bigint;
  } else {
    for (let i = 0; i < n; i++) data[i] = values[i] as number;
  }
  return data;
}

function int64String(v: Int64Like): string {
  if (v === null || v === undefined) return '0';
  return typeof v === 'number' ? String(v) : v.toString();
}

// ---------------------------------------------------------------- encoding

export function encodeModel(model: Model): Uint8Array {
  const proto: OnnxNs.IModelProto = {
    ...model.passthrough,
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsetImport: [...model.opsets].map(([domain, version]) => ({ domain, version })),
    graph: encodeGraph(model.graph),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(proto)).finish();
}

function encodeGraph(g: Graph): OnnxNs.IGraphProto {
  return {
    name: g.name,
    node: g.nodes.map(encodeNode),
    initializer: [...g.initializers.values()].map((t) => encodeTensor(t, t.name)),
    input: g.inputs.map(encodeValueInfo),
    output: g.outputs.map(encodeValueInfo),
    valueInfo: g.valueInfo.map(encodeValueInfo),
  };
}

function encodeNode(n: Node): OnnxNs.INodeProto {
  return {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    input: [...n.inputs],
    output: [...n.outputs],
    attribute: [...n.attributes].map(([name, a]) => encodeAttribute(name, a)),
  };
}

const utf8Encoder = new TextEncoder();

function encodeAttribute(name: string, a: AttributeValue): OnnxNs.IAttributeProto {
  switch (a.type) {
    case 'float': return { name, type: ATTR.FLOAT, f: a.value };
    case 'int': return { name, type: ATTR.INT, i: a.value };
    case 'string': return { name, type: ATTR.STRING, s: utf8Encoder.encode(a.value) };
    case 'tensor': return { name, type: ATTR.TENSOR, t: encodeTensor(a.value, '') };
    case 'floats': return { name, type: ATTR.FLOATS, floats: [...a.value] };
    case 'ints': return { name, type: ATTR.INTS, ints: [...a.value] };
    case 'strings': return { name, type: ATTR.STRINGS, strings: a.value.map((s) => utf8Encoder.encode(s)) };
    case 'raw': return { ...a.value, name };
  }
}

function encodeValueInfo(v: ValueInfo): OnnxNs.IValueInfoProto {
  // onnxruntime infers the type of an output declared without one (but rejects element type 0).
  if (v.elemType === 0 && v.shape === undefined) return { name: v.name };
  const tensorType: OnnxNs.TypeProto.ITensor = { elemType: v.elemType };
  if (v.shape) {
    tensorType.shape = {
      dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})),
    };
  }
  return { name: v.name, type: { tensorType } };
}

/** Encodes values as little-endian raw_data. */
export function encodeTensor(t: Tensor, name: string): OnnxNs.ITensorProto {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dims: [...t.dims], dataType: onnxTypeCode(t.dataType), rawData: bytes };
}
