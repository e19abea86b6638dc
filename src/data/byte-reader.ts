import { open } from 'node:fs/promises';
import { DataError, fileError } from './errors.js';

/** Random-access reads from a file or an in-memory buffer; `close` releases the file handle. */
export interface ByteReader {
  readonly file: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset`, in a fresh buffer (DataError if the source is shorter). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export async function openFileBytes(file: string): Promise<ByteReader> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fileError(file, error);
  }
  const { size } = await handle.stat();
  const fh = handle;
  return {
    file,
    size,
    async read(offset, length) {
      // A damaged header may ask for gigabytes: refuse what the file cannot hold before allocating for it.
      if (offset + length > size) throw truncated(file, offset + length, size);
      const buffer = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await fh.read(buffer, filled, Math.min(length - filled, 2 ** 30), offset + filled);
        if (bytesRead === 0) throw truncated(file, offset + length, offset + filled);
        filled += bytesRead;
      }
      return buffer;
    },
    close: () => fh.close(),
  };
}

export function memoryBytes(file: string, bytes: Uint8Array): ByteReader {
  return {
    file,
    size: bytes.byteLength,
    read(offset, length) {
      if (offset + length > bytes.byteLength) return Promise.reject(truncated(file, offset + length, bytes.byteLength));
      return Promise.resolve(bytes.slice(offset, offset + length));
    },
    close: () => Promise.resolve(),
  };
}

/** Opens `file`, runs `f` on it and closes it again. */
export async function withFileBytes<T>(file: string, f: (reader: ByteReader) => Promise<T>): Promise<T> {
  const reader = await openFileBytes(file);
  try {
    return await f(reader);
  } finally {
    await reader.close();
  }
}

function truncated(file: string, needed: number, available: number): DataError {
  return new DataError(`${file} is truncated: needed ${needed} bytes but it has ${available}; the file is incomplete, copy or download it again`);
}
