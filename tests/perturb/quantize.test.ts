import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyPerturbation, createRng, type Perturbation, type PerturbTarget } from '../../src/perturb/index.js';
import { channelScales, maxCode, quantize, quantizeValue } from '../../src/perturb/quantize.js';
import { channelLayout } from '../../src/perturb/target.js';
import { bitsOf, fromBits } from './helpers.js';

const f32 = (values: number[]) => Float32Array.from(values);
const list = (values: Float32Array) => Array.from(values);
const apply = (target: PerturbTarget, p: Perturbation) => applyPerturbation(target, p, createRng(0)).weight;

describe('quant:b', () => {
  it('has 2^(b−1) − 1 as largest code', () => {
    expect([2, 3, 4, 8, 16].map(maxCode)).toEqual([1, 3, 7, 127, 32767]);
  });

  it('rounds w/s half to even (s = 1)', () => {
    // quant:2: qmax 1, s = max|w| = 1
    expect(list(quantize(f32([0.4, -1, 0.5, -0.5, 0.6, -0.6]), 2))).toEqual([0, -1, 0, -0, 1, -1]);
    // quant:3: qmax 3, s = 3/3 = 1
    expect(list(quantize(f32([3, 1.5, -0.75, 0.5, 2.5, -2.5, -1.5]), 3))).toEqual([3, 2, -1, 0, 2, -2, -2]);
  });

  it('multiplies the codes back by s (s = 2)', () => {
    // quant:4: qmax 7, s = 14/7 = 2; w/s = 7, 3.5, 2.5, −1.5, 0.5, 0.24 → 7, 4, 2, −2, 0, 0
    expect(list(quantize(f32([14, 7, 5, -3, 1, 0.48]), 4))).toEqual([14, 8, 4, -4, 0, 0]);
  });

  it('keeps −0 for negative values that round to zero, as torch does', () => {
    const out = quantize(f32([1, -0.25]), 2);
    expect(Object.is(out[1], -0)).toBe(true);
  });

  it('clamps codes to ±qmax', () => {
    expect(quantizeValue(10, 1, 7)).toBe(7);
    expect(quantizeValue(-10, 1, 7)).toBe(-7);
    expect(quantizeValue(7.5, 1, 7)).toBe(7);
    expect(quantizeValue(-7.4, 1, 7)).toBe(-7);
  });

  it('computes the scale in float32', () => {
    const [scale] = channelScales(f32([0.7]), channelLayout([1], 0), 127);
    expect(scale).toBe(Math.fround(Math.fround(0.7) / 127));
  });

  it('leaves an all-zero tensor unchanged, −0 included', () => {
    const out = quantize(f32([0, -0, 0]), 4);
    expect(Array.from(bitsOf(out))).toEqual(Array.from(bitsOf(f32([0, -0, 0]))));
  });

  it('maps a one-element tensor to itself up to the float32 rounding of s·qmax', () => {
    const w = Math.fround(0.7);
    const s = Math.fround(w / 127);
    expect(quantize(f32([w]), 8)[0]).toBe(Math.fround(127 * s));
    expect(quantize(f32([-3]), 2)[0]).toBe(-3);
  });

  it('propagates NaN to the whole tensor, as torch max does', () => {
    const out = quantize(f32([1, NaN, 0.5]), 8);
    expect(out.every(Number.isNaN)).toBe(true);
  });
});

describe('quantc:b, one scale per channel', () => {
  // Each layout holds channel A = [3, 2.5] (s = 1 → [3, 2]) and B = [6, 1] (s = 2 → [6, 0]) at quantc:3.
  it('Conv [out, in, kh, kw] uses axis 0', () => {
    const target = { weight: f32([3, 2.5, 6, 1]), shape: [2, 1, 1, 2], channelAxis: 0 };
    expect(list(apply(target, { kind: 'quantc', bits: 3 }))).toEqual([3, 2, 6, 0]);
    // per tensor the scale is 2 everywhere: w/s = 1.5 → 2, 1.25 → 1, 3, 0.5 → 0
    expect(list(apply(target, { kind: 'quant', bits: 3 }))).toEqual([4, 2, 6, 0]);
  });

  it('Gemm transB=1 [out, in] uses axis 0', () => {
    const target = { weight: f32([3, 2.5, 6, 1]), shape: [2, 2], channelAxis: 0 };
    expect(list(apply(target, { kind: 'quantc', bits: 3 }))).toEqual([3, 2, 6, 0]);
  });

  it('Gemm transB=0 / MatMul [in, out] use axis 1 (columns)', () => {
    const target = { weight: f32([3, 6, 2.5, 1]), shape: [2, 2], channelAxis: 1 };
    expect(list(apply(target, { kind: 'quantc', bits: 3 }))).toEqual([3, 6, 2, 0]);
  });

  it('ConvTranspose [in, out, kh, kw] uses axis 1', () => {
    // flat index (i·2 + o)·2 + k; channel 0 = {0, 1, 4, 5} = [3, 2.5, −1, 0.5], max 3, s = 1
    // channel 1 = {2, 3, 6, 7} = [6, 1, −3, 5], max 6, s = 2 → w/s = 3, 0.5, −1.5, 2.5
    const target = { weight: f32([3, 2.5, 6, 1, -1, 0.5, -3, 5]), shape: [2, 2, 1, 2], channelAxis: 1 };
    expect(list(apply(target, { kind: 'quantc', bits: 3 }))).toEqual([3, 2, 6, 0, -1, 0, -4, 4]);
  });

  it('leaves a channel whose max is 0 unchanged', () => {
    const target = { weight: f32([0, -0, 3, 1.4]), shape: [2, 2], channelAxis: 0 };
    const out = apply(target, { kind: 'quantc', bits: 3 });
    expect(Object.is(out[0], 0) && Object.is(out[1], -0)).toBe(true);
    expect(list(out.subarray(2))).toEqual([3, 1]);
  });
});

interface TorchCase {
  name: string;
  shape: number[];
  bits: number;
  axis: number | null;
  input: number[];
  expected: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/quant-torch.json', import.meta.url), 'utf8'),
) as { torch: string; cases: TorchCase[] };

describe(`bit-exact against PyTorch ${fixture.torch} float32 (fixtures/make-quant-fixtures.py)`, () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const target = { weight: fromBits(c.input), shape: c.shape, channelAxis: c.axis ?? 0 };
    const p: Perturbation = c.axis === null ? { kind: 'quant', bits: c.bits } : { kind: 'quantc', bits: c.bits };
    expect(Array.from(bitsOf(apply(target, p)))).toEqual(c.expected);
  });

  it('includes near-ties where rounding w/s in float64 instead of float32 would differ', () => {
    const differing = fixture.cases
      .filter((c) => c.name.startsWith('near-ties'))
      .flatMap((c) => {
        const w = fromBits(c.input);
        const qmax = maxCode(c.bits);
        const [s] = channelScales(w, channelLayout([w.length], 0), qmax);
        return Array.from(w).filter((x) => Math.round(x / s!) !== Math.round(Math.fround(x / s!)));
      });
    expect(differing.length).toBeGreaterThan(0);
  });
});
