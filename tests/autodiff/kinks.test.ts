/**
 * Subgradient conventions at kinks, as exact values. Expected values are
 * PyTorch 1.13's (autograd of the matching torch function, upstream gradient 1):
 * relu(0) → 0, leaky_relu/prelu/elu/selu at 0 → the negative-side slope,
 * clamp at its bounds → 1 (inclusive; note torch's relu6/hardtanh are exclusive,
 * but ONNX Clip is torch.clamp), abs(0) → 0, hardswish(±3) → ∓0.5 / 1.5,
 * hardsigmoid(±3) → 0, maximum/minimum ties → ½ each, max pooling ties → the
 * first maximum in row-major window order.
 */
import { describe, expect, it } from 'vitest';
import { a, gradientsOf, type GradCase } from './helpers.js';

/** Gradients with an all-ones upstream gradient of the given size. */
async function gradOnes(c: GradCase, values: Readonly<Record<string, readonly number[]>>, outputSize: number): Promise<Map<string, number[]>> {
  return gradientsOf(c, values, { Y0: new Array<number>(outputSize).fill(1) });
}

const f32 = 'float32' as const;

describe('kink conventions (torch)', () => {
  it('Relu at 0 gives 0', async () => {
    const g = await gradOnes({ name: 'relu', op: 'Relu', inputs: { X: { shape: [3] } } }, { X: [-1, 0, 1] }, 3);
    expect(g.get('X')).toEqual([0, 0, 1]);
  });

  it('LeakyRelu, PRelu, Elu, Selu at 0 take the negative-side slope', async () => {
    const leaky = await gradOnes({ name: 'leaky', op: 'LeakyRelu', attrs: { alpha: a.float(0.1) }, inputs: { X: { shape: [3] } } }, { X: [-1, 0, 1] }, 3);
    expect(leaky.get('X')?.map((v) => Math.fround(v))).toEqual([0.1, 0.1, 1].map(Math.fround));
    const prelu = await gradOnes({ name: 'prelu', op: 'PRelu', inputs: { X: { shape: [3] }, slope: { shape: [1], constant: true } } }, { X: [-1, 0, 1], slope: [0.25] }, 3);
    expect(prelu.get('X')).toEqual([0.25, 0.25, 1]);
    const elu = await gradOnes({ name: 'elu', op: 'Elu', dtype: f32, attrs: { alpha: a.float(0.5) }, inputs: { X: { shape: [2] } } }, { X: [0, 1] }, 2);
    expect(elu.get('X')).toEqual([0.5, 1]);
    const selu = await gradOnes({ name: 'selu', op: 'Selu', dtype: f32, inputs: { X: { shape: [1] } } }, { X: [0] }, 1);
    expect(selu.get('X')?.[0]).toBeCloseTo(1.7580993408473766, 6);
  });

  it('Clip passes the gradient at its bounds (torch.clamp)', async () => {
    const c: GradCase = { name: 'clip', op: 'Clip', inputs: { input: { shape: [5] }, min: { shape: [], constant: true }, max: { shape: [], constant: true } } };
    const g = await gradOnes(c, { input: [-1, -0.5, 0, 0.5, 1], min: [-0.5], max: [0.5] }, 5);
    expect(g.get('input')).toEqual([0, 1, 1, 1, 0]);
  });

  it('Abs at 0 gives 0', async () => {
    const g = await gradOnes({ name: 'abs', op: 'Abs', inputs: { X: { shape: [3] } } }, { X: [-1, 0, 1] }, 3);
    expect(g.get('X')).toEqual([-1, 0, 1]);
  });

  it('HardSwish and HardSigmoid at ±3', async () => {
    const hs = await gradOnes({ name: 'hardswish', op: 'HardSwish', dtype: f32, inputs: { X: { shape: [5] } } }, { X: [-4, -3, 0, 3, 4] }, 5);
    expect(hs.get('X')).toEqual([0, -0.5, 0.5, 1.5, 1]);
    const hsig = await gradOnes({ name: 'hardsigmoid', op: 'HardSigmoid', dtype: f32, attrs: { alpha: a.float(1 / 6), beta: a.float(0.5) }, inputs: { X: { shape: [5] } } }, { X: [-4, -3, 0, 3, 4] }, 5);
    expect(hsig.get('X')?.map((v) => Math.fround(v))).toEqual([0, 0, Math.fround(1 / 6), 0, 0]);
  });

  it('Max and Min share ties equally', async () => {
    const inputs = { a: { shape: [3] }, b: { shape: [3] } };
    const max = await gradOnes({ name: 'max', op: 'Max', inputs }, { a: [1, 2, 3], b: [1, 1, 4] }, 3);
    expect(max.get('a')).toEqual([0.5, 1, 0]);
    expect(max.get('b')).toEqual([0.5, 0, 1]);
    const min = await gradOnes({ name: 'min', op: 'Min', inputs }, { a: [1, 2, 3], b: [1, 1, 4] }, 3);
    expect(min.get('a')).toEqual([0.5, 0, 1]);
    expect(min.get('b')).toEqual([0.5, 1, 0]);
  });

  const plane = [1, 3, 3, 0, 3, 2, 1, 3, 0, 0, 0, 0, 1, 1, 1, 1];

  it('MaxPool gives a tied window\'s gradient to its first maximum', async () => {
    const c: GradCase = { name: 'maxpool', op: 'MaxPool', attrs: { kernel_shape: a.ints([2, 2]), strides: a.ints([2, 2]) }, inputs: { X: { shape: [1, 1, 4, 4] } } };
    const g = await gradOnes(c, { X: plane }, 4);
    expect(g.get('X')).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0]);
  });

  it('MaxPool accumulates overlapping windows that pick the same element', async () => {
    const c: GradCase = { name: 'maxpool overlap', op: 'MaxPool', attrs: { kernel_shape: a.ints([3, 3]) }, inputs: { X: { shape: [1, 1, 4, 4] } } };
    const g = await gradOnes(c, { X: plane }, 4);
    expect(g.get('X')).toEqual([0, 2, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('GlobalMaxPool gives the gradient to the first maximum', async () => {
    const c: GradCase = { name: 'gmp', op: 'GlobalMaxPool', dtype: f32, inputs: { X: { shape: [1, 1, 4, 4] } } };
    const g = await gradOnes(c, { X: plane }, 1);
    expect(g.get('X')).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

});
