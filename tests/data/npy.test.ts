import { afterAll, describe, expect, it } from 'vitest';
import { DataError, openEvalData } from '../../src/data/index.js';
import { makeTmp, npyBytes, ramp, readAll, writeBytes, writeNpy, type NpyDescr } from './helpers.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);

describe('.npy', () => {
  const values = [0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 126, 127];
  it.each<[NpyDescr, number[]]>([
    ['<f4', [0.5, -1.25, 3e-3, 7, 1e6, -0, 2, 3, 4, 5, 6, 7]],
    ['<f8', [0.1, -1.25, 3e-300, 7, 1e6, 0, 2, 3, 4, 5, 6, 7]],
    ['|u1', [0, 255, ...values.slice(2)]],
    ['|i1', [-128, 127, ...values.slice(2)]],
    ['<i2', [-32768, 32767, ...values.slice(2)]],
    ['<i4', [-(2 ** 31), 2 ** 31 - 1, ...values.slice(2)]],
    ['<i8', [-(2 ** 40), 2 ** 40, ...values.slice(2)]],
  ])('reads %s as float32 without preprocessing', async (descr, data) => {
    const ds = await openEvalData({ data: writeNpy(tmp.path(`dtype${descr.slice(1)}.npy`), descr, [3, 2, 2], data) });
    expect(ds.count).toBe(3);
    expect(ds.sampleShape).toEqual([1, 2, 2]); // [N,H,W] gets a channel axis
    expect([...(await readAll(ds)).images]).toEqual(data.map(Math.fround));
  });

  it('streams positioned reads that match a full read across batch boundaries', async () => {
    const n = 37;
    const data = ramp(n * 5).map((v) => v / 7);
    const ds = await openEvalData({ data: writeNpy(tmp.path('stream.npy'), '<f4', [n, 5], data) });
    const whole = Float32Array.from(data);
    for (const batchSize of [1, 4, 5, 36, 37, 100]) {
      expect((await readAll(ds, batchSize)).images).toEqual(whole);
    }
    expect((await readAll(ds, 3, { start: 5, end: 22 })).images).toEqual(whole.subarray(5 * 5, 22 * 5));
    expect((await readAll(ds, 3, { start: 36 })).images).toEqual(whole.subarray(36 * 5));
    expect((await readAll(ds, 3, { start: 10, end: 10 })).images).toEqual(new Float32Array(0));
  });

  it('refuses bad files with a message naming the file', async () => {
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['complex.npy', npyBytes('<c8', [2], []), /complex\.npy has unsupported dtype <c8; supported dtypes: <f4 \(float32\), <f8 \(float64\), \|u1 \(uint8\)/],
      ['text.npy', npyBytes('<U3', [2], []), /text\.npy has unsupported dtype <U3; supported dtypes/],
      ['big.npy', npyBytes('>f4', [2], []), /big\.npy is big-endian \(>f4\); convert it with arr\.astype\('<f4'\)/],
      ['fortran.npy', npyBytes('<f4', [2, 3], [0, 1, 2, 3, 4, 5], true), /fortran\.npy is stored in Fortran order; save it in C order/],
      ['short.npy', npyBytes('<f4', [4, 3], ramp(12)).subarray(0, 128 + 40), /short\.npy is truncated: its header declares shape \(4, 3\) float32, 176 bytes, but the file has 168/],
      ['fake.npy', Buffer.from('not numpy at all'), /fake\.npy is not a \.npy file/],
    ];
    for (const [name, bytes, message] of cases) {
      const error = await openEvalData({ data: writeBytes(tmp.path(name), bytes) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('says so when a file is missing', async () => {
    await expect(openEvalData({ data: tmp.path('nope.npy') })).rejects.toThrow(/nope\.npy: no such file or directory/);
    const data = writeNpy(tmp.path('x.npy'), '<f4', [2, 2], [0, 1, 2, 3]);
    await expect(openEvalData({ data, labels: tmp.path('nolabels.npy') })).rejects.toThrow(/nolabels\.npy: no such file/);
    await expect(openEvalData({ data, labels: tmp.path('nolabels-idx1.gz') })).rejects.toThrow(/nolabels-idx1\.gz: no such file/);
    await expect(openEvalData({ data: tmp.path('no-folder') })).rejects.toThrow(/no-folder: no such file or directory/);
  });
});
