import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, openEvalData } from '../../src/data/index.js';
import { makeTmp, npyBytes, readAll, writeBytes } from './helpers.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);

const images = npyBytes('|u1', [3, 2, 2], [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
const labels = npyBytes('<i8', [3], [2, 0, 1]);
const expected = { images: Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]), labels: Int32Array.from([2, 0, 1]) };

/** An .npz: members stored (level 0, as numpy.savez) or deflated (as numpy.savez_compressed). */
function writeNpz(name: string, members: Record<string, Uint8Array>, level: 0 | 6): string {
  const files = Object.fromEntries(Object.entries(members).map(([key, bytes]) => [`${key}.npy`, bytes]));
  return writeBytes(tmp.path(name), zipSync(files, { level }));
}

describe('.npz', () => {
  it.each([0, 6] as const)('reads x/y members compressed at level %i', async (level) => {
    const ds = await openEvalData({ data: writeNpz(`xy${level}.npz`, { x: images, y: labels }, level) });
    expect(ds.hasLabels).toBe(true);
    expect(ds.sampleShape).toEqual([1, 2, 2]);
    expect(ds.description).toMatch(/xy\d\.npz:x\.npy \(3×1×2×2 uint8\), labels .*xy\d\.npz:y\.npy/);
    expect(await readAll(ds, 2)).toEqual(expected);
  });

  it.each([
    ['images', 'labels'],
    ['X', 'Y'],
    ['data', 'target'],
  ])('finds %s/%s among other arrays', async (x, y) => {
    const other = npyBytes('<f4', [1], [0]);
    const ds = await openEvalData({ data: writeNpz(`${x}.npz`, { meta: other, [x]: images, [y]: labels, extra: other }, 6) });
    expect(await readAll(ds)).toEqual(expected);
  });

  it('tells images from labels by shape when there are only two arrays', async () => {
    const ds = await openEvalData({ data: writeNpz('two.npz', { b_labels: labels, a_pixels: images }, 0) });
    expect(await readAll(ds)).toEqual(expected);
  });

  it('gives images without labels when there is one array, and a labels file can add them', async () => {
    const data = writeNpz('one.npz', { arr_0: images }, 0);
    const ds = await openEvalData({ data });
    expect(ds.hasLabels).toBe(false);
    expect(await readAll(ds)).toEqual({ images: expected.images, labels: new Int32Array(0) });
    const withLabels = await openEvalData({ data, labels: writeBytes(tmp.path('l.npy'), labels) });
    expect(await readAll(withLabels)).toEqual(expected);
  });

  it('lets a labels file override the labels in the archive', async () => {
    const data = writeNpz('override.npz', { x: images, y: labels }, 0);
    const ds = await openEvalData({ data, labels: writeBytes(tmp.path('l2.npy'), npyBytes('|u1', [3], [7, 8, 9])) });
    expect((await readAll(ds)).labels).toEqual(Int32Array.from([7, 8, 9]));
  });

  it('refuses archives it cannot make sense of', async () => {
    const f4 = npyBytes('<f4', [3, 2], [0, 0, 0, 0, 0, 0]);
    await expect(openEvalData({ data: writeNpz('three.npz', { a: f4, b: f4, c: labels }, 0) })).rejects.toThrow(
      /three\.npz has arrays a, b, c; cannot tell images from labels: name them x\/y/,
    );
    await expect(openEvalData({ data: writeNpz('empty.npz', {}, 0) })).rejects.toThrow(/empty\.npz has no \.npy arrays/);
    const notZip = openEvalData({ data: writeBytes(tmp.path('bad.npz'), Buffer.from('hello, not a zip file at all')) });
    await expect(notZip).rejects.toThrow(DataError);
    await expect(notZip).rejects.toThrow(/bad\.npz is not a readable \.npz \(zip\) archive/);
    const badMember = writeNpz('badmember.npz', { x: npyBytes('<c8', [1], []) }, 0);
    await expect(openEvalData({ data: badMember })).rejects.toThrow(/badmember\.npz:x\.npy has unsupported dtype <c8/);
  });
});
