import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, openEvalData } from '../../src/data/index.js';
import { IDX_TYPES, idxBytes, makeTmp, ramp, readAll, writeBytes, writeIdx } from './helpers.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);

const SAMPLES: Record<keyof typeof IDX_TYPES, number[]> = {
  uint8: [0, 255, 1, 2, 3, 4, 5, 6],
  int8: [-128, 127, 1, 2, 3, 4, 5, 6],
  int16: [-32768, 32767, 1, 2, 3, 4, 5, 6],
  int32: [-(2 ** 31), 2 ** 31 - 1, 1, 2, 3, 4, 5, 6],
  float32: [0.5, -1.5, 1e-3, 2, 3, 4, 5, 6],
  float64: [0.1, -1e30, 1e-3, 2, 3, 4, 5, 6],
};

describe('IDX', () => {
  for (const gz of ['', '.gz']) {
    it.each(Object.keys(SAMPLES) as Array<keyof typeof IDX_TYPES>)(`reads %s${gz} big-endian values`, async (type) => {
      const data = writeIdx(tmp.path(`${type}-idx3${gz}`), type, [2, 2, 2], SAMPLES[type]);
      const ds = await openEvalData({ data });
      expect(ds.sampleShape).toEqual([1, 2, 2]);
      expect([...(await readAll(ds)).images]).toEqual(SAMPLES[type].map(Math.fround));
    });
  }

  it('takes labels from an IDX file, raw or gzip, and inserts the channel axis last for NHWC', async () => {
    const data = writeIdx(tmp.path('img-idx3-ubyte'), 'uint8', [3, 2, 2], ramp(12));
    const labels = writeIdx(tmp.path('lab-idx1-ubyte.gz'), 'uint8', [3], [4, 0, 9]);
    const ds = await openEvalData({ data, labels, preprocess: { layout: 'NHWC' } });
    expect(ds.sampleShape).toEqual([2, 2, 1]);
    expect(await readAll(ds, 2)).toEqual({ images: Float32Array.from(ramp(12)), labels: Int32Array.from([4, 0, 9]) });
  });

  it('recognises gzip by its magic bytes even without a .gz name', async () => {
    const data = writeBytes(tmp.path('hidden-gzip-idx'), gzipSync(idxBytes('uint8', [2, 3], ramp(6))));
    expect((await readAll(await openEvalData({ data }))).images).toEqual(Float32Array.from(ramp(6)));
  });

  it('streams raw and gzip files like a full read, across batch boundaries, with limit and start/end', async () => {
    const n = 101;
    const values = ramp(n * 6, 251);
    const whole = Float32Array.from(values);
    for (const name of ['stream-idx', 'stream-idx.gz']) {
      const data = writeIdx(tmp.path(name), 'uint8', [n, 2, 3], values);
      const ds = await openEvalData({ data });
      for (const batchSize of [1, 7, 100, 101, 1000]) expect((await readAll(ds, batchSize)).images).toEqual(whole);
      expect((await readAll(ds, 8, { start: 13, end: 77 })).images).toEqual(whole.subarray(13 * 6, 77 * 6));
      const limited = await openEvalData({ data, limit: 30 });
      expect(limited.count).toBe(30);
      expect((await readAll(limited, 7)).images).toEqual(whole.subarray(0, 30 * 6));
      expect((await readAll(limited, 7, { start: 25 })).images).toEqual(whole.subarray(25 * 6, 30 * 6));
    }
  });

  it('inflates a .gz only as far as the rows it needs', async () => {
    // 2000 rows of incompressible bytes, then the compressed stream is cut: the first rows still read.
    const rows = 2000;
    const values = Array.from({ length: rows * 64 }, (_, i) => (i * 2654435761) >>> 24);
    const gz = gzipSync(idxBytes('uint8', [rows, 64], values));
    const data = writeBytes(tmp.path('cut-idx.gz'), gz.subarray(0, gz.length / 2));
    const head = await openEvalData({ data, limit: 10 });
    expect((await readAll(head, 4)).images).toEqual(Float32Array.from(values.slice(0, 640)));
    const all = await openEvalData({ data });
    await expect(readAll(all, 100)).rejects.toThrow(/corrupt gzip stream in .*cut-idx\.gz \(unexpected end of file\)/);
  });

  it('refuses bad files with a message naming the file', async () => {
    const gz = gzipSync(idxBytes('uint8', [4, 2], ramp(8)));
    const garbled = Uint8Array.from(gz);
    garbled.fill(0xaa, 10, gz.length - 8);
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['magic-idx', Uint8Array.from([0x12, 0x34, 0x08, 0x03, 0, 0, 0, 1]), /magic-idx: bad IDX magic 0x12340803 \(expected 0x0000/],
      ['type-idx', Uint8Array.from([0, 0, 0x07, 0x01, 0, 0, 0, 1, 5]), /type-idx: bad IDX magic 0x00000701/],
      ['short-idx', idxBytes('uint8', [4, 2], ramp(8)).subarray(0, 14), /short-idx is truncated: its IDX header declares 4×2 uint8, 20 bytes, but the file has 14/],
      ['garbled-idx.gz', garbled, /corrupt gzip stream in .*garbled-idx\.gz \(/],
      ['notgzip-idx.gz', Buffer.from('plain text, not gzip'), /corrupt gzip stream in .*notgzip-idx\.gz \(incorrect header check\)/],
    ];
    for (const [name, bytes, message] of cases) {
      const error = await openEvalData({ data: writeBytes(tmp.path(name), bytes) })
        .then((ds) => readAll(ds))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('reports a gzip stream that ends cleanly before the rows its header declares', async () => {
    const full = idxBytes('uint8', [5, 4], ramp(20));
    const data = writeBytes(tmp.path('few-idx.gz'), gzipSync(full.subarray(0, full.length - 6)));
    const ds = await openEvalData({ data });
    await expect(readAll(ds, 2)).rejects.toThrow(/few-idx\.gz is truncated: its decompressed data ends after 26 bytes but 32 are needed/);
  });

  it('refuses a 1-D data file (labels passed as data)', async () => {
    const data = writeIdx(tmp.path('labels-as-data-idx1'), 'uint8', [3], [1, 2, 3]);
    await expect(openEvalData({ data })).rejects.toThrow(/labels-as-data-idx1 has shape \[3\]; data needs a sample axis and at least one more/);
  });
});
