import type { ByteReader } from './byte-reader.js';
import { decodeValues, DTYPES, product, type DType } from './dtypes.js';
import { GunzipReader } from './gunzip-reader.js';

/** A stored N-D array whose first axis is the sample (row) axis, readable a few rows at a time. */
export interface ArraySource {
  readonly file: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** A reader positioned at row `start`; close it when done. */
  openRows(start: number): Promise<RowReader>;
  /**
   * Reads every row once and throws a DataError if the file does not hold them all (a .gz cut
   * short). Only sources whose size is not checked when they are opened have it.
   */
  verify?(): Promise<void>;
}

export interface RowReader {
  /** Decodes the next `out.length / rowSize` rows into `out`. */
  read(out: Float32Array | Float64Array): Promise<void>;
  close(): Promise<void>;
}

export function rowSize(source: ArraySource): number {
  return product(source.shape.slice(1));
}

interface Layout {
  file: string;
  dtype: DType;
  shape: readonly number[];
  dataOffset: number;
  littleEndian: boolean;
}

/** Rows read by positioned reads: each `read` fetches exactly the bytes of its rows. */
export function positionedArraySource(layout: Layout, openBytes: () => Promise<ByteReader>): ArraySource {
  const itemBytes = DTYPES[layout.dtype].bytes;
  const rowBytes = product(layout.shape.slice(1)) * itemBytes;
  return {
    file: layout.file,
    dtype: layout.dtype,
    shape: layout.shape,
    async openRows(start) {
      const bytes = await openBytes();
      let offset = layout.dataOffset + start * rowBytes;
      return {
        async read(out) {
          const length = out.length * itemBytes;
          decodeValues(await bytes.read(offset, length), layout.dtype, layout.littleEndian, out);
          offset += length;
        },
        close: () => bytes.close(),
      };
    },
  };
}

/** Rows read from a gzip stream that is inflated once, front to back, skipping rows before `start`. */
export function gzipArraySource(layout: Layout): ArraySource {
  const itemBytes = DTYPES[layout.dtype].bytes;
  const rowBytes = product(layout.shape.slice(1)) * itemBytes;
  const totalBytes = layout.dataOffset + product(layout.shape) * itemBytes;
  return {
    file: layout.file,
    dtype: layout.dtype,
    shape: layout.shape,
    async openRows(start) {
      const stream = new GunzipReader(layout.file, totalBytes);
      try {
        await stream.skip(layout.dataOffset + start * rowBytes);
      } catch (error) {
        stream.close();
        throw error;
      }
      return {
        async read(out) {
          decodeValues(await stream.read(out.length * itemBytes), layout.dtype, layout.littleEndian, out);
        },
        close: () => Promise.resolve(stream.close()),
      };
    },
    async verify() {
      const stream = new GunzipReader(layout.file, totalBytes);
      try {
        await stream.skip(totalBytes);
      } finally {
        stream.close();
      }
    },
  };
}

/** A 1-D array held in memory (labels derived from image-folder names). */
export function memoryArraySource(file: string, values: Int32Array): ArraySource {
  return {
    file,
    dtype: 'int32',
    shape: [values.length],
    openRows(start) {
      let offset = start;
      return Promise.resolve({
        read(out) {
          out.set(values.subarray(offset, offset + out.length));
          offset += out.length;
          return Promise.resolve();
        },
        close: () => Promise.resolve(),
      });
    },
  };
}
