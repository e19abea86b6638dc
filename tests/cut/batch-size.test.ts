import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCH, defaultBatchSize, LARGEST_ACTIVATION_BYTES } from '../../src/cut/batch-size.js';
import { ShapeTable } from '../../src/model/shape-table.js';
import type { Model } from '../../src/onnx/ir.js';
import { floatValue, makeModel, node } from '../helpers/models.js';

/** A chain of nodes whose outputs v0, v1, ... have these element types and per-sample dims. */
const probed = (...values: [string, number[]][]): [Model, ShapeTable] => {
  const names = values.map((_, i) => `v${i}`);
  const model = makeModel({
    nodes: names.map((name, i) => node('Identity', [i === 0 ? 'x' : (names[i - 1] as string)], [name])),
    initializers: [],
    inputs: [floatValue('x', ['N', 1])],
    outputs: [floatValue(names[names.length - 1] as string, ['N', 1])],
  });
  const shapes = new Map(values.map(([type, dims], i) => [`v${i}`, { type, dims, dynamic: dims.map((_, a) => a === 0) }] as const));
  const perSample = new Map(values.map(([, dims], i) => [`v${i}`, dims.reduce((a, b) => a * b, 1)] as const));
  return [model, new ShapeTable(shapes, new Map(), perSample, 'test')];
};

describe('defaultBatchSize', () => {
  it('is 250 for small inputs (every zoo model: at most 73.5 KB per sample in one activation)', () => {
    expect(defaultBatchSize(...probed(['float32', [1, 1, 28, 28]], ['float32', [1, 24, 28, 28]], ['float32', [1, 10]]))).toBe(DEFAULT_BATCH);
  });
  it('keeps the largest activation of a batch under 64 MiB for large inputs', () => {
    // ResNet-18 at 224×224: [1, 64, 112, 112] float32 is 3.06 MiB per sample → 20 images.
    const b = defaultBatchSize(...probed(['float32', [1, 3, 224, 224]], ['float32', [1, 64, 112, 112]], ['float32', [1, 512, 7, 7]]));
    expect(b).toBe(20);
    expect(b * 64 * 112 * 112 * 4).toBeLessThanOrEqual(LARGEST_ACTIVATION_BYTES);
    expect((b + 1) * 64 * 112 * 112 * 4).toBeGreaterThan(LARGEST_ACTIVATION_BYTES);
  });
  it('never goes below one image, and ignores types it does not know', () => {
    expect(defaultBatchSize(...probed(['float32', [1, 64, 2048, 2048]]))).toBe(1);
    expect(defaultBatchSize(...probed(['string', [1, 1e9]], ['float32', [1, 10]]))).toBe(DEFAULT_BATCH);
  });
});
