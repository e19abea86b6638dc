/** sameBits: equal bit patterns, not equal values. */
import { describe, expect, it } from 'vitest';
import { sameBits } from '../../src/perturb/index.js';

describe('sameBits', () => {
  it('is true for the same bits and false for any other tensor', () => {
    const a = Float32Array.from([1, -2, 0.5]);
    expect(sameBits(a, Float32Array.from(a))).toBe(true);
    expect(sameBits(a, Float32Array.from([1, -2, 0.25]))).toBe(false);
    expect(sameBits(a, Float32Array.from([1, -2]))).toBe(false);
    expect(sameBits(a, undefined)).toBe(false);
  });
  it('compares bits: 0 and −0 differ, a NaN equals the same NaN', () => {
    expect(sameBits(Float32Array.from([0]), Float32Array.from([-0]))).toBe(false);
    expect(sameBits(Float32Array.from([NaN]), Float32Array.from([NaN]))).toBe(true);
  });
  it('reads views at their offset', () => {
    const buffer = Float32Array.from([9, 1, 2, 9, 1, 2]);
    expect(sameBits(buffer.subarray(1, 3), buffer.subarray(4, 6))).toBe(true);
  });
});
