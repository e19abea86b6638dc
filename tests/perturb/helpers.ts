import { createRng } from '../../src/perturb/index.js';

export function bitsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

export function fromBits(bits: readonly number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

export function popcount(x: number): number {
  let count = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) count++;
  return count;
}

/** Uniform in (−1, 1), never exactly 0. */
export function randomWeights(n: number, seed = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = rng.nextFloat() * 2 - 1;
    return u === 0 ? 0.5 : u;
  });
}

/** Expects |actual − expected| ≤ 5 standard deviations. */
export function withinSigmas(actual: number, expected: number, sd: number, sigmas = 5): boolean {
  return Math.abs(actual - expected) <= sigmas * sd;
}
