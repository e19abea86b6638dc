import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCH, defaultBatchSize, LARGEST_ACTIVATION_BYTES } from '../../src/cut/batch-size.js';

const shapes = (...values: [string, number[]][]) => new Map(values.map(([type, dims], i) => [`v${i}`, { type, dims }]));

describe('defaultBatchSize', () => {
  it('is 250 for small inputs (every zoo model: at most 73.5 KB per sample in one activation)', () => {
    expect(defaultBatchSize(shapes(['float32', [1, 1, 28, 28]], ['float32', [1, 24, 28, 28]], ['float32', [1, 10]]))).toBe(DEFAULT_BATCH);
  });
  it('keeps the largest activation of a batch under 64 MiB for large inputs', () => {
    // ResNet-18 at 224×224: [1, 64, 112, 112] float32 is 3.06 MiB per sample → 20 images.
    const b = defaultBatchSize(shapes(['float32', [1, 3, 224, 224]], ['float32', [1, 64, 112, 112]], ['float32', [1, 512, 7, 7]]));
    expect(b).toBe(20);
    expect(b * 64 * 112 * 112 * 4).toBeLessThanOrEqual(LARGEST_ACTIVATION_BYTES);
    expect((b + 1) * 64 * 112 * 112 * 4).toBeGreaterThan(LARGEST_ACTIVATION_BYTES);
  });
  it('never goes below one image, and ignores types it does not know', () => {
    expect(defaultBatchSize(shapes(['float32', [1, 64, 2048, 2048]]))).toBe(1);
    expect(defaultBatchSize(shapes(['string', [1, 1e9]], ['float32', [1, 10]]))).toBe(DEFAULT_BATCH);
  });
});
