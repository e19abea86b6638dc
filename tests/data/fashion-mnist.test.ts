/** The real Fashion-MNIST test set from Debian's dataset-fashion-mnist, when installed. */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openEvalData } from '../../src/data/index.js';

const DIR = '/usr/share/datasets/fashion-mnist';
const IMAGES = `${DIR}/t10k-images-idx3-ubyte.gz`;
const LABELS = `${DIR}/t10k-labels-idx1-ubyte.gz`;
const present = existsSync(IMAGES) && existsSync(LABELS);
if (!present) console.warn(`skipping Fashion-MNIST tests: ${IMAGES} or ${LABELS} is missing (apt-get install dataset-fashion-mnist)`);

describe.skipIf(!present)('Fashion-MNIST t10k (gzip IDX)', () => {
  // Independent reference: inflate the whole file with zlib and index the IDX bytes directly.
  const pixels = (i: number): Uint8Array => gunzipSync(readFileSync(IMAGES)).subarray(16 + 784 * i, 16 + 784 * (i + 1));
  const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0);

  it('reads 10000 images of 1×28×28 and their labels', async () => {
    const ds = await openEvalData({ data: IMAGES, labels: LABELS });
    expect(ds).toMatchObject({ count: 10000, sampleShape: [1, 28, 28], hasLabels: true });
    const labels = gunzipSync(readFileSync(LABELS)).subarray(8);
    let seen = 0;
    for await (const batch of ds.batches(3000)) {
      expect([...batch.labels]).toEqual([...labels.subarray(batch.start, batch.start + batch.count)]);
      seen += batch.count;
    }
    expect(seen).toBe(10000);
  });

  it('has the first label 9 and the first image’s pixel sum, scaled by 1/255 when asked', async () => {
    const ds = await openEvalData({ data: IMAGES, labels: LABELS, limit: 1, preprocess: { scale: 1 / 255 } });
    const expectedSum = sum(pixels(0));
    expect(expectedSum).toBe(33456); // sum of the first 784 pixel bytes
    for await (const batch of ds.batches(1)) {
      expect(batch.labels[0]).toBe(9);
      expect(sum(batch.images) * 255).toBeCloseTo(expectedSum, 2);
      expect([...batch.images]).toEqual([...pixels(0)].map((v) => Math.fround(v / 255)));
    }
  });

  it('streams the last samples from a start offset like a full read', async () => {
    const ds = await openEvalData({ data: IMAGES });
    for await (const batch of ds.batches(100, { start: 9998 })) {
      expect(batch.count).toBe(2);
      expect([...batch.images.subarray(784)]).toEqual([...pixels(9999)]);
    }
  });
});
