import { describe, expect, it } from 'vitest';
import { applyPerturbation, createRng, type Rng } from '../../src/perturb/index.js';
import { populationStd } from '../../src/perturb/noise.js';
import { bitsOf, randomWeights, withinSigmas } from './helpers.js';

const flat = (weight: Float32Array) => ({ weight, shape: [weight.length], channelAxis: 0 });

/** An Rng whose normal() returns the given values in order. */
function scriptedRng(normals: number[]): Rng {
  let next = 0;
  const fail = (): never => {
    throw new Error('not scripted');
  };
  return { nextUint32: fail, nextFloat: fail, geometric: fail, normal: () => normals[next++] ?? fail() };
}

describe('noise:σ', () => {
  it('uses the population standard deviation (divides by n)', () => {
    expect(populationStd(Float32Array.from([1, 2, 3, 4]))).toBe(Math.sqrt(1.25));
    expect(populationStd(new Float32Array(0))).toBe(0);
  });

  it('adds σ·std(w)·N(0, 1), one normal per entry in flat order', () => {
    // std([1, 3]) = 1
    const out = applyPerturbation(flat(Float32Array.from([1, 3])), { kind: 'noise', sigma: 0.5 }, scriptedRng([1, -2]));
    expect(Array.from(out.weight)).toEqual([1.5, 2]);
  });

  it('rounds the result to float32', () => {
    const out = applyPerturbation(flat(Float32Array.from([0, 2])), { kind: 'noise', sigma: 0.1 }, scriptedRng([1, 0]));
    expect(out.weight[0]).toBe(Math.fround(0.1));
  });

  it('has mean 0 and standard deviation σ·std(w)', () => {
    const n = 100_000;
    const weight = randomWeights(n);
    const sigma = 0.1;
    const out = applyPerturbation(flat(weight), { kind: 'noise', sigma }, createRng(1)).weight;
    const deltas = Array.from(out, (x, i) => x - weight[i]!);
    const mean = deltas.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(deltas.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    const expected = sigma * populationStd(weight);
    expect(withinSigmas(mean, 0, expected / Math.sqrt(n))).toBe(true);
    expect(withinSigmas(std, expected, expected / Math.sqrt(2 * n))).toBe(true);
  });

  it('changes nothing when σ = 0 or the tensor is constant', () => {
    const weight = Float32Array.from([-0, 1, 2]);
    const zero = applyPerturbation(flat(weight), { kind: 'noise', sigma: 0 }, createRng(1)).weight;
    expect(bitsOf(zero)).toEqual(bitsOf(weight));
    const constant = Float32Array.from([2, 2, 2]);
    expect(applyPerturbation(flat(constant), { kind: 'noise', sigma: 1 }, createRng(1)).weight).toEqual(constant);
  });

  it('is reproducible from the seed', () => {
    const weight = randomWeights(1000);
    const run = (seed: number) => applyPerturbation(flat(weight), { kind: 'noise', sigma: 0.1 }, createRng(seed)).weight;
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });
});
