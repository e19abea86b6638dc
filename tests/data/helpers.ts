/** Writers for tiny data fixtures in a temporary folder, and a helper to read a dataset whole. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { EvalData } from '../../src/data/index.js';

export type NpyDescr = '<f4' | '<f8' | '|u1' | '|i1' | '<i2' | '<i4' | '<i8';

const NPY_WRITE: Record<NpyDescr, [number, (v: DataView, o: number, x: number) => void]> = {
  '<f4': [4, (v, o, x) => v.setFloat32(o, x, true)],
  '<f8': [8, (v, o, x) => v.setFloat64(o, x, true)],
  '|u1': [1, (v, o, x) => v.setUint8(o, x)],
  '|i1': [1, (v, o, x) => v.setInt8(o, x)],
  '<i2': [2, (v, o, x) => v.setInt16(o, x, true)],
  '<i4': [4, (v, o, x) => v.setInt32(o, x, true)],
  '<i8': [8, (v, o, x) => v.setBigInt64(o, BigInt(x), true)],
};

/** A temporary folder, removed by `cleanup`. */
export function makeTmp(): { dir: string; path: (...parts: string[]) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'safer-data-'));
  return { dir, path: (...parts) => join(dir, ...parts), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The bytes of a version 1.0 .npy file, as numpy.save writes them (header padded to 64 bytes). */
export function npyBytes(descr: string, shape: readonly number[], values: ArrayLike<number>, fortran = false): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${dims}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const [size, set] = NPY_WRITE[descr as NpyDescr] ?? [1, () => {}];
  const bytes = new Uint8Array(10 + header.length + values.length * size);
  bytes.set([0x93, ...Buffer.from('NUMPY'), 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(Buffer.from(header, 'latin1'), 10);
  const view = new DataView(bytes.buffer, 10 + header.length);
  for (let i = 0; i < values.length; i++) set(view, i * size, values[i]!);
  return bytes;
}

export function writeNpy(file: string, descr: string, shape: readonly number[], values: ArrayLike<number>): string {
  return writeBytes(file, npyBytes(descr, shape, values));
}

export const IDX_TYPES = {
  uint8: [0x08, 1, (v: DataView, o: number, x: number) => v.setUint8(o, x)],
  int8: [0x09, 1, (v: DataView, o: number, x: number) => v.setInt8(o, x)],
  int16: [0x0b, 2, (v: DataView, o: number, x: number) => v.setInt16(o, x)],
  int32: [0x0c, 4, (v: DataView, o: number, x: number) => v.setInt32(o, x)],
  float32: [0x0d, 4, (v: DataView, o: number, x: number) => v.setFloat32(o, x)],
  float64: [0x0e, 8, (v: DataView, o: number, x: number) => v.setFloat64(o, x)],
} as const;

/** The bytes of a big-endian IDX file. */
export function idxBytes(type: keyof typeof IDX_TYPES, shape: readonly number[], values: ArrayLike<number>): Uint8Array {
  const [code, size, set] = IDX_TYPES[type];
  const head = 4 + 4 * shape.length;
  const bytes = new Uint8Array(head + values.length * size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, (code << 8) | shape.length);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0; i < values.length; i++) set(view, head + i * size, values[i]!);
  return bytes;
}

export function writeIdx(file: string, type: keyof typeof IDX_TYPES, shape: readonly number[], values: ArrayLike<number>): string {
  const bytes = idxBytes(type, shape, values);
  return writeBytes(file, file.endsWith('.gz') ? gzipSync(bytes) : bytes);
}

export function writeBytes(file: string, bytes: Uint8Array): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

/** 0, 1, 2, ... n−1 mod `modulo` (distinct values for the first `modulo` entries). */
export function ramp(n: number, modulo = 256): number[] {
  return Array.from({ length: n }, (_, i) => i % modulo);
}

/** All batches of `ds` concatenated; also checks the batch bookkeeping. */
export async function readAll(ds: EvalData, batchSize = 1000, range: { start?: number; end?: number } = {}): Promise<{ images: Float32Array; labels: Int32Array }> {
  const sampleSize = ds.sampleShape.reduce((a, b) => a * b, 1);
  const images: Float32Array[] = [];
  const labels: Int32Array[] = [];
  let next = range.start ?? 0;
  for await (const batch of ds.batches(batchSize, range)) {
    if (batch.start !== next) throw new Error(`batch starts at ${batch.start}, expected ${next}`);
    if (batch.images.length !== batch.count * sampleSize) throw new Error(`batch has ${batch.images.length} values for ${batch.count} samples`);
    if (batch.labels.length !== (ds.hasLabels ? batch.count : 0)) throw new Error(`batch has ${batch.labels.length} labels for ${batch.count} samples`);
    images.push(batch.images);
    labels.push(batch.labels);
    next += batch.count;
  }
  return { images: concat(Float32Array, images), labels: concat(Int32Array, labels) };
}

function concat<T extends Float32Array | Int32Array>(Type: new (n: number) => T, parts: readonly T[]): T {
  const out = new Type(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
