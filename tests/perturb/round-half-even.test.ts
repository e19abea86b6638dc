import { describe, expect, it } from 'vitest';
import { roundHalfEven } from '../../src/perturb/index.js';

describe('roundHalfEven', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-0.5, -0],
    [-1.5, -2],
    [-2.5, -2],
    [0.49999999999999994, 0],
    [2.5000000000000004, 3],
    [1.2, 1],
    [-1.7, -2],
    [7, 7],
    [2 ** 52 + 1, 2 ** 52 + 1],
  ])('rounds %d to %d', (x, expected) => {
    expect(Object.is(roundHalfEven(x), expected)).toBe(true);
  });

  it('keeps the sign of a negative value that rounds to zero, like torch.round', () => {
    expect(Object.is(roundHalfEven(-0.4), -0)).toBe(true);
    expect(Object.is(roundHalfEven(0.4), 0)).toBe(true);
  });

  it('passes NaN and infinities through', () => {
    expect(roundHalfEven(NaN)).toBeNaN();
    expect(roundHalfEven(Infinity)).toBe(Infinity);
    expect(roundHalfEven(-Infinity)).toBe(-Infinity);
  });
});
