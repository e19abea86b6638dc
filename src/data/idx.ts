import { gzipArraySource, positionedArraySource, type ArraySource } from './array-source.js';
import { openFileBytes, withFileBytes } from './byte-reader.js';
import { DTYPES, product, type DType } from './dtypes.js';
import { DataError } from './errors.js';
import { GunzipReader } from './gunzip-reader.js';

/** IDX type byte → element type (http://yann.lecun.com/exdb/mnist/). Values are big-endian. */
const IDX_DTYPES: Readonly<Record<number, DType>> = {
  0x08: 'uint8',
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/**
 * An MNIST-style IDX file, raw or gzip-compressed (told by a `.gz` name or the gzip magic bytes).
 * Raw files are read with positioned reads; gzip files are inflated as a stream up to the rows needed.
 */
export async function openIdx(file: string): Promise<ArraySource> {
  const gzipped = file.endsWith('.gz') || (await startsWithGzipMagic(file));
  if (gzipped) {
    const stream = new GunzipReader(file);
    try {
      const { dtype, shape } = await readIdxHeader(file, (offset, length) => stream.read(length));
      return gzipArraySource({ file, dtype, shape, dataOffset: 4 + 4 * shape.length, littleEndian: false });
    } finally {
      stream.close();
    }
  }
  const header = await withFileBytes(file, async (bytes) => {
    const { dtype, shape } = await readIdxHeader(file, (offset, length) => bytes.read(offset, length));
    const dataOffset = 4 + 4 * shape.length;
    const needed = dataOffset + product(shape) * DTYPES[dtype].bytes;
    if (bytes.size < needed) {
      throw new DataError(
        `${file} is truncated: its IDX header declares ${shape.join('×')} ${dtype}, ${needed} bytes, but the file has ${bytes.size}; download it again`,
      );
    }
    return { dtype, shape, dataOffset };
  });
  return positionedArraySource({ file, ...header, littleEndian: false }, () => openFileBytes(file));
}

type Read = (offset: number, length: number) => Promise<Uint8Array>;

async function readIdxHeader(file: string, read: Read): Promise<{ dtype: DType; shape: number[] }> {
  const magic = await read(0, 4);
  const dtype = IDX_DTYPES[magic[2]!];
  const ndim = magic[3]!;
  if (magic[0] !== 0 || magic[1] !== 0 || dtype === undefined || ndim === 0) {
    const hex = [...magic].map((b) => b.toString(16).padStart(2, '0')).join('');
    throw new DataError(
      `${file}: bad IDX magic 0x${hex} (expected 0x0000, a type byte 08/09/0b/0c/0d/0e and the number of dimensions, ` +
        `e.g. 0x00000803 for MNIST images); data must be .npy, .npz, IDX (raw or .gz) or an image folder`,
    );
  }
  const dims = new DataView((await read(4, 4 * ndim)).buffer);
  const shape = Array.from({ length: ndim }, (_, i) => dims.getUint32(4 * i, false));
  return { dtype, shape };
}

async function startsWithGzipMagic(file: string): Promise<boolean> {
  return withFileBytes(file, async (bytes) => {
    if (bytes.size < 2) return false;
    const head = await bytes.read(0, 2);
    return head[0] === 0x1f && head[1] === 0x8b;
  });
}
