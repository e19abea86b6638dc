import { describe, expect, it } from 'vitest';
import { bootstrapMean, quantile } from '../../src/benchmark/bootstrap.js';

describe('bootstrapMean', () => {
  const values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

  it('is reproducible with a seed and changes with it', () => {
    const a = bootstrapMean(values, { seed: 7 });
    expect(bootstrapMean(values, { seed: 7 })).toEqual(a);
    expect(bootstrapMean(values, { seed: 8 })).not.toEqual(a);
  });

  it('gives the mean and a 95% interval close to mean ± 1.96 SE for a symmetric sample', () => {
    const e = bootstrapMean(values);
    expect(e?.mean).toBe(4.5);
    expect(e?.n).toBe(10);
    // SE of the mean (plug-in) = √(8.25/10) ≈ 0.908, so ±1.78.
    expect(e?.low).toBeGreaterThan(2.5);
    expect(e?.low).toBeLessThan(3.1);
    expect(e?.high).toBeGreaterThan(5.9);
    expect(e?.high).toBeLessThan(6.5);
  });

  it('narrows with a lower confidence level', () => {
    const wide = bootstrapMean(values, { confidence: 0.95 });
    const narrow = bootstrapMean(values, { confidence: 0.5 });
    expect((narrow?.high ?? 0) - (narrow?.low ?? 0)).toBeLessThan((wide?.high ?? 0) - (wide?.low ?? 0));
  });

  it('handles degenerate inputs', () => {
    expect(bootstrapMean([])).toBeNull();
    expect(bootstrapMean([0.3])).toEqual({ mean: 0.3, low: 0.3, high: 0.3, n: 1 });
    expect(bootstrapMean([2, 2, 2])).toEqual({ mean: 2, low: 2, high: 2, n: 3 });
    expect(() => bootstrapMean([1, NaN])).toThrow(/finite/);
    expect(() => bootstrapMean([1, 2], { resamples: 0 })).toThrow(/resamples/);
  });

  it('takes type-7 quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
  });
});
