import { afterAll, describe, expect, it } from 'vitest';
import { DataError, openEvalData } from '../../src/data/index.js';
import { makeTmp, ramp, readAll, writeIdx, writeNpy } from './helpers.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);

const images = writeNpy(tmp.path('images.npy'), '|u1', [5, 2, 2], ramp(20));
const labels = writeNpy(tmp.path('labels.npy'), '<i8', [5], [3, 1, 4, 1, 5]);

async function dataError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataError);
  return (error as Error).message;
}

describe('openEvalData', () => {
  it('describes the data and pairs samples with labels', async () => {
    const ds = await openEvalData({ data: images, labels });
    expect(ds).toMatchObject({ count: 5, sampleShape: [1, 2, 2], hasLabels: true });
    expect(ds.description).toMatch(/images\.npy \(5×1×2×2 uint8\), labels .*labels\.npy$/);
    expect(await readAll(ds, 2)).toEqual({ images: Float32Array.from(ramp(20)), labels: Int32Array.from([3, 1, 4, 1, 5]) });
  });

  it('takes the first `limit` samples, and all of them when there are fewer', async () => {
    const ds = await openEvalData({ data: images, labels, limit: 3 });
    expect(ds.count).toBe(3);
    expect(ds.description).toMatch(/\(3×1×2×2 uint8, first 3 of 5\)/);
    expect(await readAll(ds, 2)).toEqual({ images: Float32Array.from(ramp(12)), labels: Int32Array.from([3, 1, 4]) });
    expect((await openEvalData({ data: images, limit: 50 })).count).toBe(5);
  });

  it('streams [start, end) in fresh batches of at most batchSize', async () => {
    const ds = await openEvalData({ data: images, labels });
    const batches = [];
    for await (const batch of ds.batches(2, { start: 1, end: 4 })) batches.push(batch);
    expect(batches.map((b) => [b.start, b.count, [...b.labels]])).toEqual([
      [1, 2, [1, 4]],
      [3, 1, [1]],
    ]);
    expect(batches[0]!.images.buffer).not.toBe(batches[1]!.images.buffer);
    expect([...batches[1]!.images]).toEqual([12, 13, 14, 15]);
  });

  it('closes its files when the consumer stops early', async () => {
    const ds = await openEvalData({ data: writeIdx(tmp.path('many-idx.gz'), 'uint8', [1000, 4], ramp(4000)), labels: writeIdx(tmp.path('many-lab-idx.gz'), 'uint8', [1000], ramp(1000, 10)) });
    for (let round = 0; round < 50; round++) {
      for await (const batch of ds.batches(10, { start: round })) {
        expect(batch.labels[0]).toBe(round % 10);
        break;
      }
    }
  });

  it('allows data without labels; the consumer decides whether it needs them', async () => {
    const ds = await openEvalData({ data: images });
    expect(ds.hasLabels).toBe(false);
    expect(ds.description).toMatch(/, no labels$/);
    for await (const batch of ds.batches(5)) expect(batch.labels).toEqual(new Int32Array(0));
  });

  it('accepts integer labels of any stored type, and float labels with integral values', async () => {
    for (const descr of ['|u1', '<i4', '<f4', '<f8'] as const) {
      const ds = await openEvalData({ data: images, labels: writeNpy(tmp.path(`l${descr.slice(1)}.npy`), descr, [5], [0, 2, 1, 9, 255]) });
      expect((await readAll(ds)).labels).toEqual(Int32Array.from([0, 2, 1, 9, 255]));
    }
  });

  it('refuses labels that do not fit the data', async () => {
    const bad = (name: string, descr: string, values: number[], shape = [values.length]) => writeNpy(tmp.path(name), descr, shape, values);
    expect(await dataError(openEvalData({ data: images, labels: bad('four.npy', '<i8', [0, 1, 2, 3]) }))).toMatch(
      /four\.npy has 4 labels but .*images\.npy has 5 samples; give the labels file that belongs to this data/,
    );
    expect(await dataError(openEvalData({ data: images, labels: bad('half.npy', '<f4', [0, 1, 2.5, 3, 4]) }))).toMatch(
      /half\.npy: label 2\.5 at index 2 is not an integer; labels must be class indices 0, 1, 2, \.\.\./,
    );
    expect(await dataError(openEvalData({ data: images, labels: bad('neg.npy', '<i4', [0, 1, 2, -1, 4]) }))).toMatch(/neg\.npy: label -1 at index 3 is negative/);
    expect(await dataError(openEvalData({ data: images, labels: bad('huge.npy', '<i8', [0, 1, 2, 2 ** 40, 4]) }))).toMatch(/huge\.npy: label 1099511627776 at index 3 is too large/);
    expect(await dataError(openEvalData({ data: images, labels: bad('onehot.npy', '<f4', ramp(10), [5, 2]) }))).toMatch(
      /onehot\.npy has shape \[5, 2\]; labels must be one class index per sample, shape \[N\]/,
    );
  });

  it('checks only the labels of the samples it uses', async () => {
    const ds = await openEvalData({ data: images, labels: writeNpy(tmp.path('tail.npy'), '<f4', [5], [0, 1, 2, 0.5, -3]), limit: 3 });
    expect((await readAll(ds)).labels).toEqual(Int32Array.from([0, 1, 2]));
  });

  it.each([0, -2, 1.5, Number.NaN])('refuses limit %s', async (limit) => {
    expect(await dataError(openEvalData({ data: images, limit }))).toMatch(new RegExp(`limit must be a positive integer, got ${limit} \\(for .*images\\.npy\\)`));
  });

  it('refuses a bad batch size or range', async () => {
    const ds = await openEvalData({ data: images });
    expect(await dataError(readAll(ds, 0))).toMatch(/batch size must be a positive integer, got 0 \(for .*images\.npy\)/);
    expect(await dataError(readAll(ds, 2, { start: 2, end: 6 }))).toMatch(/batch range \[2, 6\) is outside \[0, 5\]/);
    expect(await dataError(readAll(ds, 2, { start: 3, end: 2 }))).toMatch(/batch range \[3, 2\) is outside/);
  });
});

describe('fingerprint', () => {
  it('is the sha256 of what the model is fed, whatever the file format or batching', async () => {
    const fromNpy = await openEvalData({ data: images, labels });
    const fromIdx = await openEvalData({
      data: writeIdx(tmp.path('images-idx.gz'), 'uint8', [5, 2, 2], ramp(20)),
      labels: writeIdx(tmp.path('labels-idx'), 'uint8', [5], [3, 1, 4, 1, 5]),
    });
    const fingerprint = await fromNpy.fingerprint();
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await fromIdx.fingerprint()).toBe(fingerprint);
    expect(await (await openEvalData({ data: images, labels })).fingerprint()).toBe(fingerprint);
  });

  it('changes with the samples, the labels, the limit and the preprocessing', async () => {
    const base = await (await openEvalData({ data: images, labels })).fingerprint();
    const variants = [
      openEvalData({ data: images, labels, limit: 4 }),
      openEvalData({ data: images }),
      openEvalData({ data: images, labels: writeNpy(tmp.path('other.npy'), '<i8', [5], [3, 1, 4, 1, 6]) }),
      openEvalData({ data: images, labels, preprocess: { scale: 1 / 255 } }),
      openEvalData({ data: images, labels, preprocess: { layout: 'NHWC' } }),
      openEvalData({ data: writeNpy(tmp.path('changed.npy'), '|u1', [5, 2, 2], [...ramp(19), 0]), labels }),
    ];
    const prints = await Promise.all(variants.map(async (ds) => (await ds).fingerprint()));
    expect(new Set([base, ...prints]).size).toBe(variants.length + 1);
  });
});
