/**
 * The one map between ONNX element types, safer's DataType names (the same
 * strings onnxruntime's Tensor uses) and typed-array constructors.
 */

export type DataType =
  | 'float32' | 'float64' | 'float16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool';

export type TypedArray =
  | Float32Array | Float64Array
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

interface DataTypeInfo {
  readonly onnx: number;
  readonly bytes: number;
  readonly make: (length: number) => TypedArray;
  readonly view: (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
}

const INFO: Record<DataType, DataTypeInfo> = {
  float32: { onnx: 1, bytes: 4, make: (n) => new Float32Array(n), view: (b, o, n) => new Float32Array(b, o, n) },
  uint8: { onnx: 2, bytes: 1, make: (n) => new Uint8Array(n), view: (b, o, n) => new Uint8Array(b, o, n) },
  int8: { onnx: 3, bytes: 1, make: (n) => new Int8Array(n), view: (b, o, n) => new Int8Array(b, o, n) },
  uint16: { onnx: 4, bytes: 2, make: (n) => new Uint16Array(n), view: (b, o, n) => new Uint16Array(b, o, n) },
  int16: { onnx: 5, bytes: 2, make: (n) => new Int16Array(n), view: (b, o, n) => new Int16Array(b, o, n) },
  int32: { onnx: 6, bytes: 4, make: (n) => new Int32Array(n), view: (b, o, n) => new Int32Array(b, o, n) },
  int64: { onnx: 7, bytes: 8, make: (n) => new BigInt64Array(n), view: (b, o, n) => new BigInt64Array(b, o, n) },
  bool: { onnx: 9, bytes: 1, make: (n) => new Uint8Array(n), view: (b, o, n) => new Uint8Array(b, o, n) },
  // float16 values are kept as their raw 16-bit patterns.
  float16: { onnx: 10, bytes: 2, make: (n) => new Uint16Array(n), view: (b, o, n) => new Uint16Array(b, o, n) },
  float64: { onnx: 11, bytes: 8, make: (n) => new Float64Array(n), view: (b, o, n) => new Float64Array(b, o, n) },
  uint32: { onnx: 12, bytes: 4, make: (n) => new Uint32Array(n), view: (b, o, n) => new Uint32Array(b, o, n) },
  uint64: { onnx: 13, bytes: 8, make: (n) => new BigUint64Array(n), view: (b, o, n) => new BigUint64Array(b, o, n) },
};

const BY_ONNX = new Map<number, DataType>(
  (Object.entries(INFO) as [DataType, DataTypeInfo][]).map(([name, info]) => [info.onnx, name]),
);

/** ONNX TensorProto.DataType names, for messages about types safer does not handle. */
const ONNX_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 8: 'STRING', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4',
};

/** DataType for an ONNX element type code, or undefined if safer does not handle it. */
export function dataTypeFromOnnx(code: number): DataType | undefined {
  return BY_ONNX.get(code);
}

/** Human-readable name of an ONNX element type code. */
export function onnxTypeName(code: number): string {
  const known = BY_ONNX.get(code);
  return known ?? ONNX_NAMES[code] ?? `type ${code}`;
}

export function onnxTypeCode(type: DataType): number {
  return INFO[type].onnx;
}

/** Whether a type name (onnxruntime's tensor.type, say) is one safer knows. */
export function isDataType(type: string): type is DataType {
  return Object.hasOwn(INFO, type);
}

export function bytesPerElement(type: DataType): number {
  return INFO[type].bytes;
}

export function allocate(type: DataType, length: number): TypedArray {
  return INFO[type].make(length);
}


export function isFloatType(type: DataType): boolean {
  return type === 'float32' || type === 'float64' || type === 'float16';
}

/** Product of the dims (1 for a scalar). */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}
