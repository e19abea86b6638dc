import { describe, expect, it } from 'vitest';
import { applyPerturbation, createRng, type Perturbation, type PerturbTarget } from '../../src/perturb/index.js';
import { prune } from '../../src/perturb/prune.js';
import { randomWeights } from './helpers.js';

const f32 = (values: number[]) => Float32Array.from(values);
const list = (values: Float32Array) => Array.from(values);
const isPositiveZero = (x: number) => Object.is(x, 0);

/** The definition, literally: stable sort by |w|, zero the first floor(r·n). NaN sorts last. */
function referencePrune(weight: Float32Array, ratio: number): Float32Array {
  const isNan = (i: number) => Number(Number.isNaN(weight[i]!));
  const magnitude = (i: number) => (isNan(i) ? 0 : Math.abs(weight[i]!));
  const compare = (a: number, b: number) => isNan(a) - isNan(b) || Math.sign(magnitude(a) - magnitude(b)) || a - b;
  const order = Array.from(weight.keys()).sort(compare);
  const out = weight.slice();
  for (const i of order.slice(0, Math.floor(ratio * weight.length))) out[i] = 0;
  return out;
}

describe('prune:r', () => {
  it('zeroes the smallest |w|, ties in flat-index order', () => {
    const w = f32([1, -1, 1, 0.5, -1]);
    expect(list(prune(w, 0.4))).toEqual([0, -1, 1, 0, -1]);
    expect(list(prune(w, 0.6))).toEqual([0, 0, 1, 0, -1]);
    expect(list(prune(w, 0.8))).toEqual([0, 0, 0, 0, -1]);
  });

  it('ranks negative values by magnitude', () => {
    expect(list(prune(f32([-3, 2, -1, 4]), 0.5))).toEqual([-3, 0, 0, 4]);
    expect(list(prune(f32([-0.25, 0.5, -2, 1]), 0.75))).toEqual([0, 0, -2, 0]);
  });

  it('zeroes floor(r·n) entries, none at r = 0 and all at r = 1', () => {
    const w = f32([5, 4, 3, 2, 1, 6, 7, 8, 9, 10]);
    expect(list(prune(w, 0))).toEqual(list(w));
    expect(list(prune(w, 0.09))).toEqual(list(w));
    expect(list(prune(w, 0.1))).toEqual([5, 4, 3, 2, 0, 6, 7, 8, 9, 10]);
    expect(list(prune(w, 0.29))).toEqual([5, 4, 3, 0, 0, 6, 7, 8, 9, 10]);
    expect(prune(w, 1).every(isPositiveZero)).toBe(true);
  });

  it('uses float64 floor(r·n), like Python int(r * n): 0.57 · 100 is 56.99…', () => {
    const zeros = prune(randomWeights(100), 0.57).filter((x) => x === 0).length;
    expect(zeros).toBe(56);
  });

  it('writes +0, also over −0', () => {
    const out = prune(f32([-0, 1, -2]), 2 / 3);
    expect(isPositiveZero(out[0]!)).toBe(true);
    expect(isPositiveZero(out[1]!)).toBe(true);
    expect(out[2]).toBe(-2);
  });

  it('treats NaN as the largest magnitude', () => {
    const out = prune(f32([NaN, 1, Infinity, -2]), 0.75);
    expect(out[0]).toBeNaN();
    expect(list(out.subarray(1))).toEqual([0, 0, 0]);
  });

  it('agrees with a stable sort on tensors full of ties', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + (rng.nextUint32() % 60);
      const levels = [0.5, -0.5, 1, -1, 2, 1e-30, 65536, -65537, NaN, Infinity, 0.50000006];
      const w = Float32Array.from({ length: n }, () => levels[rng.nextUint32() % levels.length]!);
      const ratio = rng.nextFloat();
      expect(list(prune(w, ratio)), `n=${n} r=${ratio}`).toEqual(list(referencePrune(w, ratio)));
    }
  });

  it('property: exactly floor(r·n) zeros when the input has none, all below the kept magnitudes', () => {
    const rng = createRng(12);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + (rng.nextUint32() % 5000);
      const w = randomWeights(n, trial);
      const ratio = rng.nextFloat();
      const out = prune(w, ratio);
      const zeroed = w.filter((_, i) => out[i] === 0).map(Math.abs);
      const kept = out.filter((x) => x !== 0).map(Math.abs);
      expect(zeroed.length).toBe(Math.floor(ratio * n));
      if (zeroed.length > 0 && kept.length > 0) expect(Math.max(...zeroed)).toBeLessThanOrEqual(Math.min(...kept));
    }
  });
});

describe('prunec:r', () => {
  const apply = (target: PerturbTarget, p: Perturbation) => applyPerturbation(target, p, createRng(0));

  it('zeroes the channels of smallest L2 norm and their bias (Conv, axis 0)', () => {
    const target = {
      weight: f32([1, 1, 0.1, -0.1, 5, -5]),
      shape: [3, 1, 1, 2],
      channelAxis: 0,
      bias: f32([10, 20, 30]),
    };
    const out = apply(target, { kind: 'prunec', ratio: 0.5 });
    expect(list(out.weight)).toEqual([1, 1, 0, 0, 5, -5]);
    expect(list(out.bias!)).toEqual([10, 0, 30]);
  });

  it('breaks norm ties by lower channel index', () => {
    const target = { weight: f32([3, 0, 0, -3, 1, 1]), shape: [3, 2], channelAxis: 0 };
    expect(list(apply(target, { kind: 'prunec', ratio: 0.34 }).weight)).toEqual([3, 0, 0, -3, 0, 0]);
    expect(list(apply(target, { kind: 'prunec', ratio: 0.7 }).weight)).toEqual([0, 0, 0, -3, 0, 0]);
  });

  it('uses columns as channels for MatMul / Gemm transB=0 [in, out] (axis 1)', () => {
    // columns: c0 = [1, 2], c1 = [0.1, 0.1], c2 = [3, -3]
    const target = { weight: f32([1, 0.1, 3, 2, 0.1, -3]), shape: [2, 3], channelAxis: 1, bias: f32([7, 8, 9]) };
    const out = apply(target, { kind: 'prunec', ratio: 2 / 3 });
    expect(list(out.weight)).toEqual([0, 0, 3, 0, 0, -3]);
    expect(list(out.bias!)).toEqual([0, 0, 9]);
  });

  it('uses axis 1 for ConvTranspose [in, out, kh, kw]', () => {
    // channel o holds flat indices (i·2 + o)·2 + k: c0 = {0, 1, 4, 5}, c1 = {2, 3, 6, 7}
    const target = { weight: f32([1, 1, 9, 9, 1, 1, 9, 9]), shape: [2, 2, 1, 2], channelAxis: 1 };
    expect(list(apply(target, { kind: 'prunec', ratio: 0.5 }).weight)).toEqual([0, 0, 9, 9, 0, 0, 9, 9]);
  });

  it('returns a bias only when one was given and some channel was pruned', () => {
    const weight = f32([1, 2, 3]);
    expect(apply({ weight, shape: [3], channelAxis: 0 }, { kind: 'prunec', ratio: 1 })).not.toHaveProperty('bias');
    const withBias = { weight, shape: [3], channelAxis: 0, bias: f32([1, 1, 1]) };
    expect(apply(withBias, { kind: 'prunec', ratio: 0.3 })).not.toHaveProperty('bias');
    const all = apply(withBias, { kind: 'prunec', ratio: 1 });
    expect(list(all.weight)).toEqual([0, 0, 0]);
    expect(list(all.bias!)).toEqual([0, 0, 0]);
  });
});
