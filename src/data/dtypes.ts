/** Element types of stored arrays (.npy, IDX) and decoding of their bytes into numbers. */
export type DType = 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64';

interface DTypeInfo {
  readonly bytes: number;
  readonly integer: boolean;
  readonly get: (view: DataView, offset: number, littleEndian: boolean) => number;
}

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  uint8: { bytes: 1, integer: true, get: (v, o) => v.getUint8(o) },
  int8: { bytes: 1, integer: true, get: (v, o) => v.getInt8(o) },
  int16: { bytes: 2, integer: true, get: (v, o, le) => v.getInt16(o, le) },
  int32: { bytes: 4, integer: true, get: (v, o, le) => v.getInt32(o, le) },
  int64: { bytes: 8, integer: true, get: (v, o, le) => Number(v.getBigInt64(o, le)) },
  float32: { bytes: 4, integer: false, get: (v, o, le) => v.getFloat32(o, le) },
  float64: { bytes: 8, integer: false, get: (v, o, le) => v.getFloat64(o, le) },
};

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Element types whose bytes, in host byte order, a typed array can read directly. */
const NATIVE_ARRAYS: Readonly<Record<Exclude<DType, 'uint8' | 'int64'>, new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayLike<number>>> = {
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** Decodes `out.length` values of `dtype` from the start of `bytes` into `out` (int64 goes through Number). */
export function decodeValues(bytes: Uint8Array, dtype: DType, littleEndian: boolean, out: Float32Array | Float64Array): void {
  if (dtype === 'uint8') {
    out.set(bytes.subarray(0, out.length));
    return;
  }
  const { bytes: size, get } = DTYPES[dtype];
  if (dtype !== 'int64' && littleEndian === HOST_LITTLE_ENDIAN) {
    // Host byte order: a typed-array view (over an aligned copy if need be) converts in one native pass.
    const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice(0, out.length * size);
    out.set(new NATIVE_ARRAYS[dtype](aligned.buffer, aligned.byteOffset, out.length));
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = get(view, i * size, littleEndian);
}

/** Product of a shape's dimensions (1 for a scalar shape). */
export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
