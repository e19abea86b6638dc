import { describe, expect, it } from 'vitest';
import { decodeValues, DTYPES, type DType } from '../../src/data/dtypes.js';

const VALUES: Record<DType, number[]> = {
  uint8: [0, 255, 7, 128],
  int8: [-128, 127, -1, 0],
  int16: [-32768, 32767, -2, 3],
  int32: [-(2 ** 31), 2 ** 31 - 1, -5, 6],
  int64: [-(2 ** 40), 2 ** 40, -7, 8],
  float32: [0.5, -1.25, 2 ** -30, Math.fround(0.1)],
  float64: [0.1, -1e300, 1e-3, 2],
};

function encode(dtype: DType, values: number[], littleEndian: boolean, pad: number): Uint8Array {
  const size = DTYPES[dtype].bytes;
  const bytes = new Uint8Array(pad + values.length * size);
  const view = new DataView(bytes.buffer, pad);
  values.forEach((v, i) => {
    const o = i * size;
    if (dtype === 'uint8') view.setUint8(o, v);
    else if (dtype === 'int8') view.setInt8(o, v);
    else if (dtype === 'int16') view.setInt16(o, v, littleEndian);
    else if (dtype === 'int32') view.setInt32(o, v, littleEndian);
    else if (dtype === 'int64') view.setBigInt64(o, BigInt(v), littleEndian);
    else if (dtype === 'float32') view.setFloat32(o, v, littleEndian);
    else view.setFloat64(o, v, littleEndian);
  });
  return bytes.subarray(pad);
}

describe('decodeValues', () => {
  // pad 0: aligned (the typed-array fast path reads in place); pad 1: misaligned (it must copy first).
  it.each((Object.keys(VALUES) as DType[]).flatMap((d) => [true, false].flatMap((le) => [0, 1].map((pad) => [d, le, pad] as const))))(
    '%s, little-endian %s, offset %i',
    (dtype, littleEndian, pad) => {
      const bytes = encode(dtype, VALUES[dtype], littleEndian, pad);
      const out64 = new Float64Array(VALUES[dtype].length);
      decodeValues(bytes, dtype, littleEndian, out64);
      expect([...out64]).toEqual(VALUES[dtype]);
      const out32 = new Float32Array(VALUES[dtype].length);
      decodeValues(bytes, dtype, littleEndian, out32);
      expect([...out32]).toEqual(VALUES[dtype].map(Math.fround));
    },
  );

  it('reads only the first out.length values', () => {
    const bytes = encode('float32', [1, 2, 3, 4], true, 0);
    const out = new Float32Array(2);
    decodeValues(bytes, 'float32', true, out);
    expect([...out]).toEqual([1, 2]);
  });
});
