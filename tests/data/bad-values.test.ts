/** Data that opens but cannot be evaluated as it is: no samples, non-finite values, raw pixels, another layout. */
import { mkdirSync } from 'node:fs';
import { zipSync } from 'fflate';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, openEvalData, type OpenEvalDataOptions } from '../../src/data/index.js';
import { idxBytes, makeTmp, npyBytes, ramp, readAll, writeBytes, writeIdx, writeNpy } from './helpers.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);

async function errorOf(options: OpenEvalDataOptions): Promise<string> {
  const error = await openEvalData(options)
    .then((ds) => readAll(ds, 2))
    .then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DataError);
  return (error as Error).message;
}

describe('data without samples', () => {
  it.each([
    ['empty.npy', () => writeNpy(tmp.path('empty.npy'), '<f4', [0, 1, 2, 2], [])],
    ['empty-idx', () => writeIdx(tmp.path('empty-idx'), 'uint8', [0, 2, 2], [])],
    ['empty-idx.gz', () => writeIdx(tmp.path('empty-idx.gz'), 'uint8', [0, 2, 2], [])],
    ['empty.npz:x.npy', () => writeBytes(tmp.path('empty.npz'), zipSync({ 'x.npy': npyBytes('<f4', [0, 3], []), 'y.npy': npyBytes('<i8', [0], []) }))],
  ])('%s is an error naming the file', async (name, make) => {
    const data = make();
    expect(await errorOf({ data })).toMatch(new RegExp(`${name.replace('.', '\\.')} holds no samples \\(shape \\[0, [\\d, ]+\\]\\); give a file with at least one$`));
  });

  it('refuses samples of no values (a zero dimension)', async () => {
    const data = writeNpy(tmp.path('hollow.npy'), '<f4', [3, 0, 4], []);
    expect(await errorOf({ data })).toMatch(/hollow\.npy: its samples have shape \[0, 4\] and hold no values/);
  });

  it('an image folder without images is an error naming the folder', async () => {
    mkdirSync(tmp.path('no-images', 'cat'), { recursive: true });
    expect(await errorOf({ data: tmp.path('no-images') })).toMatch(/no-images contains no \.png\/\.jpg\/\.jpeg images/);
  });
});

describe('non-finite samples', () => {
  const values = ramp(5 * 4).map((v) => v / 20);
  const withBad = (bad: number, at: number): number[] => values.map((v, i) => (i === at ? bad : v));

  it.each([
    ['NaN', NaN, 13, 3],
    ['Infinity', Infinity, 4, 1],
    ['-Infinity', -Infinity, 19, 4],
  ])('%s is an error naming the file and the first sample that holds one', async (text, bad, at, sample) => {
    const data = writeNpy(tmp.path(`bad-${text}.npy`), '<f4', [5, 2, 2], withBad(bad, at));
    expect(await errorOf({ data })).toBe(
      `${data}: sample ${sample} holds a non-finite value (${text}); losses and gradients on it would not be finite: fix the data, or pass --allow-nonfinite to use it anyway`,
    );
  });

  it('is found in float IDX files and .npz members too, and through the fingerprint', async () => {
    const idx = writeIdx(tmp.path('nan-idx.gz'), 'float32', [5, 4], withBad(NaN, 9));
    expect(await errorOf({ data: idx })).toMatch(/nan-idx\.gz: sample 2 holds a non-finite value \(NaN\)/);
    const npz = writeBytes(tmp.path('nan.npz'), zipSync({ 'x.npy': npyBytes('<f8', [5, 4], withBad(Infinity, 0)) }));
    expect(await errorOf({ data: npz })).toMatch(/nan\.npz:x\.npy: sample 0 holds a non-finite value \(Infinity\)/);
    const ds = await openEvalData({ data: idx });
    await expect(ds.fingerprint()).rejects.toThrow(/sample 2 holds a non-finite value/);
  });

  it('a scale that overflows float32 makes non-finite values too', async () => {
    const data = writeNpy(tmp.path('big.npy'), '<f4', [2, 2], [5, 2, 3, 4]);
    expect(await errorOf({ data, preprocess: { scale: 1e38 } })).toMatch(/big\.npy: sample 0 holds a non-finite value \(Infinity\)/);
  });

  it('with allowNonfinite, the data is used as is and one warning names the first such sample', async () => {
    const data = writeNpy(tmp.path('allowed.npy'), '<f4', [5, 4], withBad(NaN, 9).map((v, i) => (i === 17 ? Infinity : v)));
    const notes: string[] = [];
    const ds = await openEvalData({ data, allowNonfinite: true, onNote: (n) => notes.push(n) });
    const { images } = await readAll(ds, 2);
    expect(images[9]).toBeNaN();
    await ds.fingerprint();
    expect(notes).toEqual([`warning: ${data}: sample 2 holds a non-finite value (NaN); used as is (--allow-nonfinite): its loss and gradients will not be finite`]);
  });
});

describe('integer pixels without a scale', () => {
  it('notes once that uint8-range values may need --scale 1/255', async () => {
    const data = writeNpy(tmp.path('pixels.npy'), '|u1', [4, 1, 2, 2], ramp(16).map((v) => v * 16));
    const notes: string[] = [];
    const ds = await openEvalData({ data, onNote: (n) => notes.push(n) });
    await readAll(ds, 2);
    await readAll(ds, 3);
    expect(notes).toEqual([`warning: ${data}: its first samples hold integer values up to 112, and no --scale was given; did you mean --scale 0.00392156862745098 (1/255)?`]);
  });

  it.each([
    ['a scale is given', '|u1', ramp(16).map((v) => v * 16), { scale: 1 / 255 }],
    ['the values are in [0, 1]', '<f4', ramp(16).map((v) => v / 16), {}],
    ['the values are not integers', '<f4', ramp(16).map((v) => v * 1.5 + 0.25), {}],
    ['the values are 0 and 1 (a mask)', '|u1', ramp(16).map((v) => v % 2), {}],
  ] as const)('says nothing when %s', async (_, descr, values, preprocess) => {
    const data = writeNpy(tmp.path(`quiet-${Math.random().toString(36).slice(2)}.npy`), descr, [4, 1, 2, 2], values);
    const notes: string[] = [];
    await readAll(await openEvalData({ data, preprocess, onNote: (n) => notes.push(n) }));
    expect(notes).toEqual([]);
  });
});

describe('stored layout', () => {
  // Two 2×3 images of 2 channels, stored NHWC: value = 100·sample + 10·y·3... (distinct per position).
  const nhwc = Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => i);
  const nchw = (): number[] => {
    const out: number[] = [];
    for (let n = 0; n < 2; n++) for (let c = 0; c < 2; c++) for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) out.push(nhwc[((n * 2 + y) * 3 + x) * 2 + c]!);
    return out;
  };

  it('dataLayout NHWC transposes stored [N,H,W,C] samples to the NCHW the model takes', async () => {
    const data = writeNpy(tmp.path('hwc.npy'), '<f4', [2, 2, 3, 2], nhwc);
    const ds = await openEvalData({ data, preprocess: { dataLayout: 'NHWC' } });
    expect(ds.sampleShape).toEqual([2, 2, 3]);
    expect([...(await readAll(ds)).images]).toEqual(nchw());
  });

  it('and NCHW to NHWC the other way round', async () => {
    const data = writeNpy(tmp.path('chw.npy'), '<f4', [2, 2, 2, 3], nchw());
    const ds = await openEvalData({ data, preprocess: { layout: 'NHWC', dataLayout: 'NCHW' } });
    expect(ds.sampleShape).toEqual([2, 3, 2]);
    expect([...(await readAll(ds)).images]).toEqual(nhwc);
  });
});

describe('a labels file cut short', () => {
  it('is reported as damaged, not as a count that differs from the data', async () => {
    const full = gzipSync(idxBytes('uint8', [5000], ramp(5000, 10)));
    const labels = writeBytes(tmp.path('cut-labels.gz'), full.subarray(0, 40));
    const data = writeNpy(tmp.path('twenty.npy'), '<f4', [20, 3], ramp(60));
    expect(await errorOf({ data, labels })).toMatch(/corrupt gzip stream in .*cut-labels\.gz \(unexpected end of file\)/);
    const whole = writeBytes(tmp.path('whole-labels.gz'), full);
    expect(await errorOf({ data, labels: whole })).toMatch(/whole-labels\.gz has 5000 labels but .*twenty\.npy has 20 samples/);
  });
});
