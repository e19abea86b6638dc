/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna), its 128-bit
 * state filled by splitmix64 from the seed. Every random decision in perturb/
 * takes an `Rng`, so a result is a pure function of (inputs, seed).
 */
import { createHash } from 'node:crypto';

export interface Rng {
  /** Uniform integer in [0, 2^32). Consumes one step. */
  nextUint32(): number;
  /** Uniform float64 in [0, 1) with 53 random bits. Consumes two steps. */
  nextFloat(): number;
  /**
   * Standard normal N(0, 1), float64, by Box–Muller. Normals come in pairs:
   * an odd-numbered call consumes two floats and returns cos·r, the next call
   * returns the cached sin·r and consumes nothing.
   */
  normal(): number;
  /**
   * Number of failures before the first success of Bernoulli(p) trials, by
   * inverse transform floor(log(U) / log1p(−p)) with U = 1 − nextFloat() in (0, 1].
   * Consumes one float for 0 < p < 1; p ≥ 1 returns 0 and p ≤ 0 returns
   * Infinity, both without consuming anything.
   */
  geometric(p: number): number;
}

/**
 * A generator seed derived from a key: the first 48 bits of sha256 of the parts joined by NUL. The
 * sweep seeds a row with (layer, perturbation, seed), the criteria with ("criteria", layer,
 * perturbation, seed), so every draw can be reproduced alone and no two draw the same stream.
 */
export function seedFromKey(...parts: readonly (string | number)[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUIntBE(0, 6);
}

/** Creates an `Rng` from a seed, which must be a safe integer (negative seeds wrap modulo 2^64). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer, got ${seed}`);
  }
  return new Xoshiro128StarStar(seed);
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

class Xoshiro128StarStar implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    [this.s0, this.s1, this.s2, this.s3] = splitmix64Words(seed);
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  }

  normal(): number {
    const spare = this.spareNormal;
    if (spare !== undefined) {
      this.spareNormal = undefined;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.nextFloat()));
    const angle = 2 * Math.PI * this.nextFloat();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  geometric(p: number): number {
    if (p >= 1) return 0;
    if (!(p > 0)) return Infinity;
    return Math.floor(Math.log(1 - this.nextFloat()) / Math.log1p(-p));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Two outputs of splitmix64 from `seed`, split into four uint32 words (low, high, low, high). */
function splitmix64Words(seed: number): [number, number, number, number] {
  const mask = (1n << 64n) - 1n;
  let state = BigInt.asUintN(64, BigInt(seed));
  const next = (): bigint => {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return z ^ (z >> 31n);
  };
  const a = next();
  const b = next();
  return [low32(a), high32(a), low32(b), high32(b)];
}

function low32(x: bigint): number {
  return Number(x & 0xffffffffn);
}

function high32(x: bigint): number {
  return Number(x >> 32n);
}
