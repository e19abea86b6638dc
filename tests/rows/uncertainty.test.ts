import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/perturb/index.js';
import { pairedStandardError } from '../../src/rows/uncertainty.js';

describe('the paired standard error of a drop', () => {
  it('equals the standard error of the mean of d_i = before_i − after_i computed image by image', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 50; trial++) {
      const n = 50 + Math.floor(rng.nextFloat() * 2000);
      const flipRight = rng.nextFloat() * 0.1;
      const flipWrong = rng.nextFloat() * 0.1;
      const d: number[] = [];
      for (let i = 0; i < n; i++) {
        const before = rng.nextFloat() < 0.9;
        const after = before ? rng.nextFloat() >= flipRight : rng.nextFloat() < flipWrong;
        d.push(Number(before) - Number(after));
      }
      const a = d.filter((x) => x === 1).length;
      const b = d.filter((x) => x === -1).length;
      const mean = d.reduce((s, x) => s + x, 0) / n;
      const populationVariance = d.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
      expect(pairedStandardError(a, b, n)).toBeCloseTo(Math.sqrt(populationVariance / n), 14);
    }
  });

  it('is 0 when nothing changed, and sqrt(a)/N·sqrt(1 − a/N) when images only turned wrong', () => {
    expect(pairedStandardError(0, 0, 1000)).toBe(0);
    expect(pairedStandardError(10, 0, 1000)).toBeCloseTo(Math.sqrt(10 - 100 / 1000) / 1000, 15);
  });
});
