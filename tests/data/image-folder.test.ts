import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, openEvalData } from '../../src/data/index.js';
import { makeTmp, readAll, writeBytes, writeNpy } from './helpers.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);

/** A PNG of gray values (R = G = B, opaque) or of RGBA pixels, written with PNG color type `colorType`. */
function png(width: number, height: number, pixels: { gray: number[] } | { rgba: number[] }, colorType: 0 | 2 | 4 | 6): Buffer {
  const image = new PNG({ width, height });
  image.data = Buffer.from('gray' in pixels ? pixels.gray.flatMap((v) => [v, v, v, 255]) : pixels.rgba);
  return PNG.sync.write(image, { colorType });
}

function grayPng(width: number, height: number, gray: number[]): Buffer {
  return png(width, height, { gray }, 0);
}

/** A solid-colour JPEG at quality 100 (jpeg-js writes 3-component YCbCr). */
function solidJpeg(width: number, height: number, [r, g, b]: [number, number, number]): Uint8Array {
  const data = Buffer.from(Array.from({ length: width * height }, () => [r, g, b, 255]).flat());
  return jpeg.encode({ width, height, data }, 100).data;
}

/**
 * A 2×2 grayscale (1-component) JPEG, all pixels 128: IPython's IPython/core/tests/2x2.jpg
 * (BSD-3-Clause). jpeg-js cannot write 1-component JPEGs.
 */
const GRAY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAACAAIBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/ACv/2Q==',
  'base64',
);

/** Writes files {relative path: bytes} under a fresh folder and returns the folder. */
function folder(name: string, files: Record<string, Uint8Array>): string {
  const root = tmp.path(name);
  mkdirSync(root, { recursive: true });
  for (const [path, bytes] of Object.entries(files)) writeBytes(join(root, path), bytes);
  return root;
}

const pixel = (v: number): Buffer => grayPng(1, 1, [v]);

describe('image folders', () => {
  it('numbers classes by sorted subfolder name and orders files like torchvision ImageFolder', async () => {
    const root = folder('classes', {
      'dog/b.png': pixel(21),
      'dog/a.png': pixel(20),
      'ant/z.png': pixel(2),
      'ant/sub/c.png': pixel(3),
      'ant/sub/deeper/e.png': pixel(5), // after "sub-b": folders sort by path string, as in sorted(os.walk(...))
      'ant/sub-b/d.png': pixel(4),
      'ant/a.png': pixel(1),
      'cat/x.jpeg.txt': pixel(99), // not an image name: ignored
      'cat/only.PNG': pixel(10),
      '.cache/hidden.png': pixel(99), // hidden folders are not classes
    });
    mkdirSync(join(root, 'empty-class')); // keeps its index (3), has no images
    const ds = await openEvalData({ data: root, preprocess: { scale: 1 } });
    expect(ds.count).toBe(8);
    expect(ds.sampleShape).toEqual([1, 1, 1]);
    expect(ds.description).toMatch(/classes \(8×1×1×1 png\/jpeg, 4 class folders\)$/);
    expect(await readAll(ds, 3)).toEqual({
      images: Float32Array.from([1, 2, 3, 4, 5, 10, 20, 21]),
      labels: Int32Array.from([0, 0, 0, 0, 0, 1, 2, 2]),
    });
  });

  it('scales by 1/255 by default and decodes gray PNG to 1 channel, colour PNG to 3 (alpha dropped)', async () => {
    const gray = await openEvalData({ data: folder('gray', { 'a/0.png': grayPng(2, 1, [0, 255]) }) });
    expect(gray.sampleShape).toEqual([1, 1, 2]);
    expect([...(await readAll(gray)).images]).toEqual([0, 1]);

    const rgba = [255, 0, 51, 7, 0, 102, 255, 9]; // 2×1 RGBA, alpha must not matter
    const colour = await openEvalData({ data: folder('rgba', { 'a/0.png': png(2, 1, { rgba }, 6) }), preprocess: { scale: 1 } });
    expect(colour.sampleShape).toEqual([3, 1, 2]);
    expect([...(await readAll(colour)).images]).toEqual([255, 0, 0, 102, 51, 255]); // NCHW: R plane, G plane, B plane

    const nhwc = await openEvalData({ data: folder('rgba2', { 'a/0.png': png(2, 1, { rgba }, 6) }), preprocess: { scale: 1, layout: 'NHWC' } });
    expect(nhwc.sampleShape).toEqual([1, 2, 3]);
    expect([...(await readAll(nhwc)).images]).toEqual([255, 0, 51, 0, 102, 255]);
  });

  it('reads JPEG, colour and grayscale', async () => {
    const colour = await openEvalData({ data: folder('jpeg', { 'a/0.jpg': solidJpeg(8, 8, [200, 30, 90]) }), preprocess: { scale: 1 } });
    expect(colour.sampleShape).toEqual([3, 8, 8]);
    const { images } = await readAll(colour);
    for (const [c, v] of [200, 30, 90].entries()) {
      for (const x of images.subarray(c * 64, (c + 1) * 64)) expect(Math.abs(x - v)).toBeLessThanOrEqual(3);
    }
    const gray = await openEvalData({ data: folder('jpeg-gray', { 'a/0.jpg': GRAY_JPEG }), preprocess: { scale: 1 } });
    expect(gray.sampleShape).toEqual([1, 2, 2]);
    expect([...(await readAll(gray)).images]).toEqual([128, 128, 128, 128]);
  });

  it('converts every image to the first image’s channels, or to the declared ones', async () => {
    const files = { 'a/0.png': pixel(100), 'a/1.png': png(1, 1, { rgba: [100, 50, 200, 255] }, 2) };
    const first = await openEvalData({ data: folder('mixed', files), preprocess: { scale: 1 } });
    expect(first.sampleShape).toEqual([1, 1, 1]);
    expect([...(await readAll(first)).images]).toEqual([100, Math.fround(0.299 * 100 + 0.587 * 50 + 0.114 * 200)]);
    const rgb = await openEvalData({ data: folder('mixed', files), preprocess: { scale: 1, channels: 3 } });
    expect([...(await readAll(rgb)).images]).toEqual([100, 100, 100, 100, 50, 200]);
  });

  it('resizes bilinearly to the declared size, so sizes may differ', async () => {
    const root = folder('resize', { 'a/0.png': grayPng(2, 2, [0, 40, 80, 120]), 'a/1.png': grayPng(4, 4, Array(16).fill(7)) });
    const ds = await openEvalData({ data: root, preprocess: { scale: 0.1, resize: [4, 4] } });
    expect(ds.sampleShape).toEqual([1, 4, 4]);
    const { images } = await readAll(ds);
    expect([...images.subarray(0, 16)].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12]);
    expect([...images.subarray(16)]).toEqual(Array(16).fill(Math.fround(0.7)));
  });

  it('reads a folder without class subfolders as unlabelled images', async () => {
    const ds = await openEvalData({ data: folder('flat', { 'b.png': pixel(2), 'a.png': pixel(1), 'notes.txt': Buffer.from('hi') }), preprocess: { scale: 1 } });
    expect(ds.hasLabels).toBe(false);
    expect(await readAll(ds)).toEqual({ images: Float32Array.from([1, 2]), labels: new Int32Array(0) });
  });

  it('refuses bad folders with a message naming the folder or file', async () => {
    const cases: Array<[string, Record<string, Uint8Array>, RegExp]> = [
      ['empty', {}, /empty contains no \.png\/\.jpg\/\.jpeg images; expected one subfolder per class/],
      ['empty-classes', { 'a/readme.txt': Buffer.from('x') }, /empty-classes contains no \.png/],
      ['loose', { 'a/0.png': pixel(1), 'stray.png': pixel(2) }, /loose has both class subfolders and loose images \(stray\.png\)/],
      ['sizes', { 'a/0.png': grayPng(2, 2, [0, 0, 0, 0]), 'b/1.png': grayPng(3, 2, [0, 0, 0, 0, 0, 0]) }, /sizes\/b\/1\.png is 3×2 but .*sizes\/a\/0\.png is 2×2; give a resize/],
      ['corrupt', { 'a/0.png': pixel(1), 'a/1.png': Buffer.from('not a png') }, /corrupt\/a\/1\.png could not be decoded \(/],
    ];
    for (const [name, files, message] of cases) {
      const error = await openEvalData({ data: folder(name, files) })
        .then((ds) => readAll(ds))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('takes a labels file for an image folder when given', async () => {
    const root = folder('relabel', { 'a/0.png': pixel(1), 'b/1.png': pixel(2) });
    const labels = writeNpy(tmp.path('relabel.npy'), '|u1', [2], [5, 6]);
    expect((await readAll(await openEvalData({ data: root, labels }))).labels).toEqual(Int32Array.from([5, 6]));
  });
});
