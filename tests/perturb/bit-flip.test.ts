import { describe, expect, it } from 'vitest';
import { applyPerturbation, createRng, type Perturbation, type PerturbTarget } from '../../src/perturb/index.js';
import { quantizeChannels, toInt8Codes } from '../../src/perturb/quantize.js';
import { channelLayout } from '../../src/perturb/target.js';
import { bitsOf, popcount, randomWeights, withinSigmas } from './helpers.js';

const apply = (target: PerturbTarget, p: Perturbation, seed = 0) => applyPerturbation(target, p, createRng(seed)).weight;
const flat = (weight: Float32Array): PerturbTarget => ({ weight, shape: [weight.length], channelAxis: 0 });

/** Flip counts per bit position of `width`-bit words, from the XOR of before and after. */
function flipsPerPosition(before: ArrayLike<number>, after: ArrayLike<number>, width: number): number[] {
  const counts = new Array<number>(width).fill(0);
  for (let i = 0; i < before.length; i++) {
    const diff = (before[i]! ^ after[i]!) >>> 0;
    for (let b = 0; b < width; b++) counts[b]! += (diff >>> b) & 1;
  }
  return counts;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Checks a Binomial(trials, p) count, and Binomial(trials / positions, p) per position. */
function expectBinomialFlips(counts: number[], trials: number, p: number): void {
  const sd = (t: number) => Math.sqrt(t * p * (1 - p));
  expect(withinSigmas(sum(counts), trials * p, sd(trials)), `total ${sum(counts)}`).toBe(true);
  const perPosition = trials / counts.length;
  for (const [b, count] of counts.entries()) {
    expect(withinSigmas(count, perPosition * p, sd(perPosition)), `bit ${b}: ${count}`).toBe(true);
  }
}

describe('bitflip:p', () => {
  const n = 100_000;
  const weight = randomWeights(n);

  it.each([1e-3, 0.3])('flips each of the n·32 bits with probability %d', (rate) => {
    const out = apply(flat(weight), { kind: 'bitflip', rate });
    expectBinomialFlips(flipsPerPosition(bitsOf(weight), bitsOf(out), 32), n * 32, rate);
  });

  it('changes nothing at p = 0 and flips every bit at p = 1', () => {
    expect(Array.from(bitsOf(apply(flat(weight), { kind: 'bitflip', rate: 0 })))).toEqual(Array.from(bitsOf(weight)));
    const all = bitsOf(apply(flat(weight), { kind: 'bitflip', rate: 1 }));
    expect(bitsOf(weight).every((bits, i) => (bits ^ all[i]!) >>> 0 === 0xffffffff)).toBe(true);
  });

  it('numbers bit b of entry e as position 32·e + b (value 2^b, 31 = sign)', () => {
    const out = apply(flat(Float32Array.from([1, 2])), { kind: 'bitflip', rate: 1 });
    expect(bitsOf(out)[0]).toBe(~0x3f800000 >>> 0);
    const one = apply(flat(Float32Array.from([-1])), { kind: 'bitflip', rate: 1 });
    expect(bitsOf(one)[0]).toBe(~0xbf800000 >>> 0);
  });

  it('is reproducible from the seed', () => {
    const p: Perturbation = { kind: 'bitflip', rate: 1e-3 };
    expect(bitsOf(apply(flat(weight), p, 9))).toEqual(bitsOf(apply(flat(weight), p, 9)));
    expect(bitsOf(apply(flat(weight), p, 9))).not.toEqual(bitsOf(apply(flat(weight), p, 10)));
  });
});

describe('bitflip8:p', () => {
  const shape = [100, 1000];
  const weight = randomWeights(100_000, 2);
  const target = { weight, shape, channelAxis: 0 };
  const { codes, scales } = toInt8Codes(weight, channelLayout(shape, 0));
  /** Recovers the int8 code from a dequantized weight of channel c = floor(i / 1000). */
  const codesOf = (out: Float32Array) => Int8Array.from(out, (w, i) => Math.round(w / scales[Math.floor(i / 1000)]!));

  it.each([1e-3, 0.3])('flips each of the n·8 code bits with probability %d', (rate) => {
    const out = codesOf(apply(target, { kind: 'bitflip8', rate }));
    const asBytes = (a: Int8Array) => new Uint8Array(a.buffer);
    expectBinomialFlips(flipsPerPosition(asBytes(codes), asBytes(out), 8), 100_000 * 8, rate);
  });

  it('equals quantc:8 at p = 0, except that int8 codes have no −0', () => {
    const out = apply(target, { kind: 'bitflip8', rate: 0 });
    const quantized = quantizeChannels(weight, channelLayout(shape, 0), 8);
    expect(out.every((w, i) => w === quantized[i])).toBe(true);
    expect(quantized.some((w) => Object.is(w, -0))).toBe(true);
    expect(out.some((w) => Object.is(w, -0))).toBe(false);
  });

  it('inverts every code at p = 1, and 127 may become −128', () => {
    const out = codesOf(apply(target, { kind: 'bitflip8', rate: 1 }));
    expect(out.every((code, i) => code === ~codes[i]!)).toBe(true);
    const [s] = toInt8Codes(Float32Array.from([0.5]), channelLayout([1], 0)).scales;
    expect(apply(flat(Float32Array.from([0.5])), { kind: 'bitflip8', rate: 1 })[0]).toBe(Math.fround(-128 * s!));
  });

  it('dequantizes in float32 with the per-channel scale (MatMul [in, out], axis 1)', () => {
    // columns [1, 0.5] and [-4, 2]: scales 1/127 and 4/127, codes 127, 64 (63.5 → 64) and −127, 64
    const w = Float32Array.from([1, -4, 0.5, 2]);
    const out = apply({ weight: w, shape: [2, 2], channelAxis: 1 }, { kind: 'bitflip8', rate: 0 });
    const s0 = Math.fround(1 / 127);
    const s1 = Math.fround(4 / 127);
    expect(Array.from(out)).toEqual([127 * s0, -127 * s1, 64 * s0, 64 * s1].map(Math.fround));
  });

  it('leaves channels whose max is 0 unchanged, whatever the flips', () => {
    const w = Float32Array.from([0, -0, 1, -1]);
    const out = apply({ weight: w, shape: [2, 2], channelAxis: 0 }, { kind: 'bitflip8', rate: 1 });
    expect(Object.is(out[0], 0) && Object.is(out[1], -0)).toBe(true);
    expect(out[2]).not.toBe(1);
  });

  it('is reproducible from the seed', () => {
    const p: Perturbation = { kind: 'bitflip8', rate: 1e-2 };
    expect(apply(target, p, 3)).toEqual(apply(target, p, 3));
    expect(apply(target, p, 3)).not.toEqual(apply(target, p, 4));
  });
});

it('popcount helper counts bits', () => {
  expect([0, 1, 0xff, 0xffffffff].map(popcount)).toEqual([0, 1, 8, 32]);
});
