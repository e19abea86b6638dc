import { positionedArraySource, type ArraySource } from './array-source.js';
import { memoryBytes, openFileBytes, withFileBytes, type ByteReader } from './byte-reader.js';
import { DTYPES, product, type DType } from './dtypes.js';
import { DataError } from './errors.js';

/** NumPy `descr` strings we read (little-endian or single-byte, C order). */
const NPY_DTYPES: Readonly<Record<string, DType>> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '|u1': 'uint8',
  '|i1': 'int8',
  '<i2': 'int16',
  '<i4': 'int32',
  '<i8': 'int64',
};
const SUPPORTED = Object.entries(NPY_DTYPES)
  .map(([descr, dtype]) => `${descr} (${dtype})`)
  .join(', ');

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

export interface NpyHeader {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly dataOffset: number;
}

/** A .npy file on disk; rows are read lazily with positioned reads. */
export async function openNpy(file: string): Promise<ArraySource> {
  const header = await withFileBytes(file, (bytes) => readNpyHeader(bytes));
  return positionedArraySource({ file, ...header, littleEndian: true }, () => openFileBytes(file));
}

/** A .npy held in memory (an npz member); `name` is used in messages, e.g. "data.npz:x.npy". */
export async function npyFromBytes(name: string, data: Uint8Array): Promise<ArraySource> {
  const header = await readNpyHeader(memoryBytes(name, data));
  return positionedArraySource({ file: name, ...header, littleEndian: true }, () => Promise.resolve(memoryBytes(name, data)));
}

/** Parses and checks the header of format versions 1.0, 2.0 and 3.0, including that the data is all there. */
export async function readNpyHeader(bytes: ByteReader): Promise<NpyHeader> {
  const { file } = bytes;
  const notNpy = new DataError(`${file} is not a .npy file (it does not start with \\x93NUMPY); write it with numpy.save`);
  if (bytes.size < 10) throw notNpy;
  const prefix = await bytes.read(0, Math.min(12, bytes.size));
  if (MAGIC.some((b, i) => prefix[i] !== b)) throw notNpy;
  const major = prefix[6]!;
  if (major < 1 || major > 3) {
    throw new DataError(`${file} uses .npy format version ${major}.${prefix[7]!}; only versions 1.0 to 3.0 are supported`);
  }
  if (major > 1 && prefix.length < 12) throw notNpy;
  const view = new DataView(prefix.buffer);
  const [headerStart, headerLength] = major === 1 ? [10, view.getUint16(8, true)] : [12, view.getUint32(8, true)];
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(await bytes.read(headerStart, headerLength));

  const header = { ...parseHeaderDict(file, text), dataOffset: headerStart + headerLength };
  const dataBytes = product(header.shape) * DTYPES[header.dtype].bytes;
  if (bytes.size < header.dataOffset + dataBytes) {
    throw new DataError(
      `${file} is truncated: its header declares shape (${header.shape.join(', ')}) ${header.dtype}, ` +
        `${header.dataOffset + dataBytes} bytes, but the file has ${bytes.size}; write it again`,
    );
  }
  return header;
}

function parseHeaderDict(file: string, text: string): { dtype: DType; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  if (descr === undefined) {
    const what = /['"]descr['"]\s*:\s*\[/.test(text) ? 'a structured dtype' : 'an unreadable header';
    throw new DataError(`${file} has ${what}; supported dtypes: ${SUPPORTED}`);
  }
  const dtype = NPY_DTYPES[descr];
  if (dtype === undefined) {
    const swapped = descr.startsWith('>') ? NPY_DTYPES[`<${descr.slice(1)}`] : undefined;
    if (swapped !== undefined) {
      throw new DataError(`${file} is big-endian (${descr}); convert it with arr.astype('<${descr.slice(1)}') and save again`);
    }
    throw new DataError(`${file} has unsupported dtype ${descr}; supported dtypes: ${SUPPORTED}; convert it, e.g. arr.astype(numpy.float32)`);
  }
  if (/['"]fortran_order['"]\s*:\s*True/.test(text)) {
    throw new DataError(`${file} is stored in Fortran order; save it in C order with numpy.save(path, numpy.ascontiguousarray(arr))`);
  }
  const dims = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (dims === undefined) throw new DataError(`${file} has an unreadable .npy header (no shape); write it with numpy.save`);
  const shape = dims
    .split(',')
    .map((d) => d.trim().replace(/L$/, ''))
    .filter((d) => d !== '')
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new DataError(`${file} has an unreadable shape (${dims}) in its .npy header; write it with numpy.save`);
  }
  return { dtype, shape };
}
