import { afterAll, describe, expect, it } from 'vitest';
import { DataError, openEvalData, resizeBilinear } from '../../src/data/index.js';
import { makeTmp, readAll, writeNpy } from './helpers.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);

describe('bilinear resize (PyTorch align_corners=False, no antialias)', () => {
  // Source coordinate of output o: (o + 0.5)·in/out − 0.5, clamped to [0, in − 1].
  // 2 → 4: o = 0..3 map to −0.25→0, 0.25, 0.75, 1.25→1, so a row [a, b] becomes
  // [a, 0.75a + 0.25b, 0.25a + 0.75b, b], and the same along the columns.
  it('upsamples a hand-made 2×2 image to 4×4', () => {
    const out = resizeBilinear([0, 4, 8, 12], { height: 2, width: 2, channels: 1 }, 4, 4);
    expect([...out]).toEqual([0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12]);
  });

  it('downsamples 4×4 to 2×2 as the mean of each 2×2 block (coordinates 0.5 and 2.5)', () => {
    const out = resizeBilinear(Array.from({ length: 16 }, (_, i) => i), { height: 4, width: 4, channels: 1 }, 2, 2);
    expect([...out]).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('resizes each channel of an HWC image separately, and height and width independently', () => {
    const rgb = [0, 100, 200, 4, 104, 204]; // 1×2 pixels, 3 channels
    const out = resizeBilinear(rgb, { height: 1, width: 2, channels: 3 }, 2, 4);
    const row = [0, 1, 3, 4].flatMap((v) => [v, 100 + v, 200 + v]);
    expect([...out]).toEqual([...row, ...row]);
  });

  it('resizes array samples when asked, through openEvalData', async () => {
    const data = writeNpy(tmp.path('small.npy'), '<f4', [1, 1, 2, 2], [0, 4, 8, 12]);
    const ds = await openEvalData({ data, preprocess: { resize: [4, 4] } });
    expect(ds.sampleShape).toEqual([1, 4, 4]);
    expect([...(await readAll(ds)).images]).toEqual([0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12]);
  });
});

describe('scale, mean and std', () => {
  it('leaves float and integer data alone unless asked', async () => {
    const ds = await openEvalData({ data: writeNpy(tmp.path('u8.npy'), '|u1', [1, 2, 2], [0, 1, 128, 255]) });
    expect([...(await readAll(ds)).images]).toEqual([0, 1, 128, 255]);
  });

  it('gives the same float32 bits as torchvision ToTensor + Normalize', async () => {
    // numpy: ((x.astype(float32) / float32(255)) - float32(0.485)) / float32(0.229). Note 254:
    // multiplying by float32(1/255) instead would give 2.231783628463745.
    const data = writeNpy(tmp.path('tv.npy'), '|u1', [1, 6], [0, 1, 77, 128, 254, 255]);
    const ds = await openEvalData({ data, preprocess: { scale: 1 / 255, mean: [0.485], std: [0.229] } });
    expect([...(await readAll(ds)).images]).toEqual([
      -2.1179039478302, -2.1007792949676514, -0.7992978692054749, 0.07406462728977203, 2.231783390045166, 2.248908281326294,
    ]);
  });

  const perChannel = { scale: 0.5, mean: [1, 2, 3], std: [2, 4, 8] };
  const expected = (x: number, c: number): number => (x * 0.5 - perChannel.mean[c]!) / perChannel.std[c]!;

  it('normalises per channel along axis 1 for NCHW', async () => {
    const values = [10, 20, 30, 40, 50, 60]; // [1, 3, 1, 2]: channel c holds values 2c, 2c+1
    const ds = await openEvalData({ data: writeNpy(tmp.path('nchw.npy'), '<f4', [1, 3, 1, 2], values), preprocess: perChannel });
    expect(ds.sampleShape).toEqual([3, 1, 2]);
    expect([...(await readAll(ds)).images]).toEqual(values.map((x, i) => expected(x, Math.floor(i / 2))));
  });

  it('normalises per channel along the last axis for NHWC', async () => {
    const values = [10, 20, 30, 40, 50, 60]; // [1, 1, 2, 3]: channel = index mod 3
    const ds = await openEvalData({
      data: writeNpy(tmp.path('nhwc.npy'), '<f4', [1, 1, 2, 3], values),
      preprocess: { ...perChannel, layout: 'NHWC' },
    });
    expect(ds.sampleShape).toEqual([1, 2, 3]);
    expect([...(await readAll(ds)).images]).toEqual(values.map((x, i) => expected(x, i % 3)));
  });

  it('applies scale and one mean/std to samples that are not images', async () => {
    const data = writeNpy(tmp.path('features.npy'), '<f4', [2, 4], [0, 1, 2, 3, 4, 5, 6, 7]);
    const ds = await openEvalData({ data, preprocess: { scale: 2, mean: [1], std: [4] } });
    expect(ds.sampleShape).toEqual([4]);
    expect([...(await readAll(ds)).images]).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((x) => (2 * x - 1) / 4));
  });
});

describe('channels', () => {
  it('replicates gray to RGB and turns RGB into 0.299R + 0.587G + 0.114B', async () => {
    const gray = writeNpy(tmp.path('gray.npy'), '|u1', [1, 1, 2], [10, 200]);
    const toRgb = await openEvalData({ data: gray, preprocess: { channels: 3 } });
    expect(toRgb.sampleShape).toEqual([3, 1, 2]);
    expect([...(await readAll(toRgb)).images]).toEqual([10, 200, 10, 200, 10, 200]);

    const rgb = writeNpy(tmp.path('rgb.npy'), '|u1', [1, 3, 1, 1], [100, 50, 200]);
    const toGray = await openEvalData({ data: rgb, preprocess: { channels: 1 } });
    expect(toGray.sampleShape).toEqual([1, 1, 1]);
    expect([...(await readAll(toGray)).images]).toEqual([Math.fround(0.299 * 100 + 0.587 * 50 + 0.114 * 200)]);
  });
});

describe('bad preprocessing', () => {
  it.each([
    [{ mean: [1, 2] }, /mean has 2 values but .*p\.npy samples have 3 channels; give 1 or 3 values/],
    [{ std: [1, 0, 1] }, /std must hold finite numbers, none zero, got \[1, 0, 1\]/],
    [{ scale: 0 }, /scale must be a finite non-zero number, got 0/],
    [{ resize: [0, 4] as [number, number] }, /resize must be \[height, width\] with two positive integers, got \[0, 4\] \(for .*p\.npy\)/],
    [{ channels: 2 as 1 }, /channels must be 1 or 3, got 2/],
    [{ layout: 'CHW' as 'NCHW' }, /layout must be NCHW or NHWC, got CHW/],
  ])('refuses %j', async (preprocess, message) => {
    const data = writeNpy(tmp.path('p.npy'), '<f4', [1, 3, 1, 1], [1, 2, 3]);
    const error = await openEvalData({ data, preprocess }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses image options on non-image samples and impossible channel conversions', async () => {
    const flat = writeNpy(tmp.path('flat.npy'), '<f4', [2, 4], [0, 1, 2, 3, 4, 5, 6, 7]);
    await expect(openEvalData({ data: flat, preprocess: { resize: [2, 2] } })).rejects.toThrow(/resize needs image samples, but .*flat\.npy has samples of shape \[4\]/);
    await expect(openEvalData({ data: flat, preprocess: { mean: [1, 2] } })).rejects.toThrow(/mean has 2 values but .*flat\.npy samples have shape \[4\], not images; give 1 value/);
    const five = writeNpy(tmp.path('five.npy'), '<f4', [1, 5, 1, 1], [1, 2, 3, 4, 5]);
    await expect(openEvalData({ data: five, preprocess: { channels: 3 } })).rejects.toThrow(/five\.npy has 5 channels, which cannot be converted to 3/);
  });
});
