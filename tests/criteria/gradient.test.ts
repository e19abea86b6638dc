import { describe, expect, it } from 'vitest';
import { criterionInstance } from '../../src/criteria/index.js';
import { memoryData, mlp, scoreTest, mlpLossAndGradients, scoresOf, type Activation, type MlpWeights } from './helpers.js';

const W: MlpWeights = {
  W1: [0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, -0.1, 0.05, 0.3, -0.7, 0.2],
  b1: [0.1, 0.05, -0.1],
  W2: [0.5, -0.3, 0.8, -0.6, 0.4, 0.1],
  b2: [0, 0.1],
};
const model = mlp(W);
const data = memoryData(40, [4], 2);
const N = 40;
const full = mlpLossAndGradients(W, data.images, data.labels, 0, N);

const sum = (xs: ArrayLike<number>, f: (x: number, i: number) => number): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += f(xs[i] as number, i);
  return s;
};
const close = (actual: number | null | undefined, expected: number, rel = 1e-4): void => {
  // A missing score (null, undefined) is a failure, not 0.
  expect(actual, `no score where ${expected} was expected`).toBeTypeOf('number');
  expect(Math.abs((actual as number) - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.max(1e-6, Math.abs(expected)));
};

describe('first-order criteria against float64 backprop by hand', () => {
  it('grad-norm, taylor-first-order and snip', async () => {
    const opts = { calibration: N };
    const norm = await scoresOf(model, 'grad-norm', data, opts);
    close(norm.W1, Math.sqrt(sum(full.W1, (g) => g * g)));
    close(norm.W2, Math.sqrt(sum(full.W2, (g) => g * g)));
    const taylor = await scoresOf(model, 'taylor-first-order', data, opts);
    close(taylor.W1, Math.abs(sum(full.W1, (g, i) => g * (W.W1[i] as number))), 1e-3);
    close(taylor.W2, Math.abs(sum(full.W2, (g, i) => g * (W.W2[i] as number))), 1e-3);
    const snip = await scoresOf(model, 'snip', data, opts);
    close(snip.W1, sum(full.W1, (g, i) => Math.abs(g * (W.W1[i] as number))));
    close(snip.W2, sum(full.W2, (g, i) => Math.abs(g * (W.W2[i] as number))));
  });

  it('fisher and fisher-obd use mini-batch gradients weighted by batch size (32 + 8 images)', async () => {
    const batches = [mlpLossAndGradients(W, data.images, data.labels, 0, 32), mlpLossAndGradients(W, data.images, data.labels, 32, 40)];
    const weights = [32 / 40, 8 / 40];
    const fisherOf = (key: 'W1' | 'W2'): number[] => Array.from(batches[0]?.[key] ?? [], (_, i) => batches.reduce((s, b, k) => s + (weights[k] as number) * (b[key][i] as number) ** 2, 0));
    const result = await scoreTest(model, ['fisher', 'fisher-obd'].map(criterionInstance), { data, calibration: N, gradientBatch: 32, threads: 1 });
    const [fisher, obd] = result.criteria;
    close(fisher?.scores.W1, sum(fisherOf('W1'), (f) => f));
    close(fisher?.scores.W2, sum(fisherOf('W2'), (f) => f));
    close(obd?.scores.W2, 0.5 * sum(fisherOf('W2'), (f, i) => f * (W.W2[i] as number) ** 2));
    expect(fisher?.details).toEqual({ batch_size: 32, batches: 2, images: 40 });
    // One pass over the calibration images, shared: each criterion is charged it in full.
    expect(fisher?.passes).toEqual({ forward: 40, backward: 40 });
    expect(obd?.passes).toEqual({ forward: 40, backward: 40 });
  });
});

describe('second-order criteria', () => {
  /** Tr(H_ll) of the mean loss by second differences of the float64 loss. */
  function exactTraceOf(key: 'W1' | 'W2', activation: Activation = 'Relu'): number {
    const h = 1e-4;
    const loss = (w: MlpWeights): number => mlpLossAndGradients(w, data.images, data.labels, 0, N, activation).loss;
    let trace = 0;
    for (let i = 0; i < W[key].length; i++) {
      const at = (d: number): number => loss({ ...W, [key]: W[key].map((x, j) => (j === i ? x + d : x)) });
      trace += (at(h) - 2 * at(0) + at(-h)) / (h * h);
    }
    return trace;
  }

  // A smooth network: gradient differences see no ReLU kinks (on ReLU networks they do; see the docs and ggn-trace).
  it('hutchinson-trace agrees with the exact trace within its reported standard error', async () => {
    const exactTrace = (key: 'W1' | 'W2'): number => exactTraceOf(key, 'Tanh');
    const result = await scoreTest(mlp(W, 'Tanh'), [criterionInstance('hutchinson-trace')], { data, calibration: N, hutchinsonSamples: 64, threads: 1 });
    const c = result.criteria[0];
    const details = c?.details as { samples: number; layers: Record<string, { trace: number; stderr: number; running_mean: number[] }> };
    expect(details.samples).toBe(64);
    for (const key of ['W1', 'W2'] as const) {
      const layer = details.layers[key];
      const exact = exactTrace(key);
      expect(exact).toBeGreaterThan(0);
      expect(layer?.running_mean).toHaveLength(64);
      expect(layer?.running_mean[63]).toBeCloseTo(layer?.trace as number, 10);
      expect(Math.abs((layer?.trace as number) - exact)).toBeLessThan(4 * (layer?.stderr as number) + 0.02 * exact);
      expect(c?.scores[key]).toBe(layer?.trace);
    }
    // 64 samples × 2 gradient evaluations over 40 images.
    expect(c?.passes).toEqual({ forward: 64 * 2 * 40, backward: 64 * 2 * 40 });
  });

  const exactTrace = (key: 'W1' | 'W2'): number => exactTraceOf(key);

  it('ggn-trace agrees with the exact trace of this ReLU MLP (whose diagonal Hessian blocks are Gauss–Newton) within its standard error', async () => {
    const result = await scoreTest(model, [criterionInstance('ggn-trace')], { data, calibration: N, hutchinsonSamples: 200, gradientBatch: 8, threads: 1 });
    const c = result.criteria[0];
    const details = c?.details as { samples: number; batch_size: number; layers: Record<string, { trace: number; stderr: number }> };
    expect(details.samples).toBe(200);
    expect(details.batch_size).toBe(8);
    for (const key of ['W1', 'W2'] as const) {
      const layer = details.layers[key];
      expect(Math.abs((layer?.trace as number) - exactTrace(key))).toBeLessThan(4 * (layer?.stderr as number));
      expect(layer?.stderr).toBeLessThan(0.2 * exactTrace(key));
    }
    // base logits (40 forward) + 40 label draws × 5 mini-batches of 8 = 200 estimates in 40 gradient passes.
    expect(c?.passes).toEqual({ forward: 40 + 40 * 40, backward: 40 * 40 });
  });

  it('hawq-v2 is Tr(H)/n × the quant-error of the same layer, sharing the trace estimate', async () => {
    const result = await scoreTest(model, ['hutchinson-trace', 'quant-error', 'hawq-v2'].map(criterionInstance), { data, calibration: N, hutchinsonSamples: 8, threads: 1 });
    const [trace, qerr, hawq] = result.criteria;
    for (const [key, n] of [['W1', 12], ['W2', 6]] as const) {
      expect(hawq?.scores[key]).toBeCloseTo(((trace?.scores[key] as number) / n) * (qerr?.scores[key] as number), 12);
    }
    expect(hawq?.passes).toEqual(trace?.passes);
  });

  it('hawq-v2-ggn is Tr(G)/n × the quant-error, sharing ggn-trace\'s estimate', async () => {
    const result = await scoreTest(model, ['ggn-trace', 'quant-error', 'hawq-v2-ggn'].map(criterionInstance), { data, calibration: N, hutchinsonSamples: 10, gradientBatch: 8, threads: 1 });
    const [trace, qerr, hawq] = result.criteria;
    for (const [key, n] of [['W1', 12], ['W2', 6]] as const) {
      expect(hawq?.scores[key]).toBeCloseTo(((trace?.scores[key] as number) / n) * (qerr?.scores[key] as number), 12);
    }
    expect(hawq?.passes).toEqual(trace?.passes);
  });
});

describe('path criteria', () => {
  it('integrated-gradients-perturbation predicts the measured loss change of the perturbation', async () => {
    const result = await scoreTest(model, [criterionInstance('integrated-gradients-perturbation@quant:2')], { data, calibration: N, threads: 1 });
    const c = result.criteria[0];
    const details = c?.details as { steps: number; layers: Record<string, { predicted_loss_increase: number; measured_loss_increase: number }> };
    expect(details.steps).toBe(16);
    // quant:2 of W2 = [.5, −.3, .8, −.6, .4, .1]: scale 0.8, codes round_half_even(w / 0.8) = [1, 0, 1, −1, 0 (0.5 → 0), 0].
    const q2 = [0.8, 0, 0.8, -0.8, 0, 0].map(Math.fround);
    const measured = mlpLossAndGradients({ ...W, W2: q2 }, data.images, data.labels, 0, N).loss - full.loss;
    close(details.layers.W2?.measured_loss_increase, measured, 1e-3);
    for (const key of ['W1', 'W2']) {
      const layer = details.layers[key];
      expect(layer?.predicted_loss_increase, key).toBeTypeOf('number');
      expect(layer?.measured_loss_increase, key).toBeTypeOf('number');
      expect(Math.abs((layer?.predicted_loss_increase as number) - (layer?.measured_loss_increase as number))).toBeLessThan(0.01 * Math.abs(layer?.measured_loss_increase as number) + 1e-4);
      expect(c?.scores[key]).toBe(layer?.predicted_loss_increase);
    }
  });

  it('gives bit flips that blow the loss up a number, never null', async () => {
    // bitflip:0.3 flips about 10 of the 32 bits of each weight: some exponents explode. Non-finite
    // integrals would score Number.MAX_VALUE; these stay finite but huge.
    const s = await scoresOf(model, 'integrated-gradients-perturbation@bitflip:0.3', data, { calibration: 8, integrationSteps: 2 });
    for (const v of Object.values(s)) {
      expect(typeof v).toBe('number');
      expect(v).toBeGreaterThan(1);
    }
  });

  it('integrated-gradients-removal predicts L(W with the layer zeroed) − L(W)', async () => {
    const s = await scoresOf(model, 'integrated-gradients-removal', data, { calibration: N });
    const zeroed = mlpLossAndGradients({ ...W, W2: W.W2.map(() => 0) }, data.images, data.labels, 0, N).loss - full.loss;
    close(s.W2, zeroed, 0.01);
  });

  it('costs nothing for a layer the perturbation leaves unchanged', async () => {
    const onGrid: MlpWeights = { ...W, W2: [7, -7, 0, 0, 7, 0] };
    const result = await scoreTest(mlp(onGrid), [criterionInstance('integrated-gradients-perturbation')], { data, calibration: N, threads: 1, integrationSteps: 4 });
    expect(result.criteria[0]?.scores.W2).toBe(0);
    // W1 only: the base gradient (40 images) + 4 path points.
    expect(result.criteria[0]?.passes.forward).toBe(40 + 4 * 40);
  });
});

describe('a criterion that cannot run on a model', () => {
  it('gets null scores and an error, and the other criteria still run', async () => {
    const { makeModel, node, floatInit, floatValue, int } = await import('../helpers/models.js');
    const withSin = makeModel({
      nodes: [
        node('Gemm', ['x', 'W1'], ['h'], { transB: int(1) }, 'fc1'),
        node('Sin', ['h'], ['s']),
        node('Gemm', ['s', 'W2'], ['logits'], { transB: int(1) }, 'fc2'),
      ],
      initializers: [floatInit('W1', [3, 4]), floatInit('W2', [2, 3])],
      inputs: [floatValue('x', ['N', 4])],
      outputs: [floatValue('logits', ['N', 2])],
    });
    const result = await scoreTest(withSin, ['grad-norm', 'l2-norm', 'output-kl'].map(criterionInstance), { data, calibration: 8, threads: 1 });
    const [grad, l2, kl] = result.criteria;
    expect(grad?.error).toMatch(/Sin/);
    expect(grad?.scores).toEqual({ W1: null, W2: null });
    expect(l2?.error).toBeUndefined();
    expect(typeof l2?.scores.W1).toBe('number');
    expect(typeof kl?.scores.W2).toBe('number');
  });
});

describe('a model with a fixed batch size', () => {
  it('is run in chunks of that size, with the same scores as the dynamic model', async () => {
    // The input goes through a Reshape to [1, 4] first: the graph depends on its batch size of 1.
    const baked = {
      ...model.graph,
      nodes: [{ name: 'baked', opType: 'Reshape', domain: '', inputs: ['x', 'shape'], outputs: ['x1'], attributes: new Map() }, ...model.graph.nodes.map((n) => ({ ...n, inputs: n.inputs.map((i) => (i === 'x' ? 'x1' : i)) }))],
      initializers: new Map([...model.graph.initializers, ['shape', { name: 'shape', dataType: 'int64' as const, dims: [2], data: BigInt64Array.of(1n, 4n) }]]),
    };
    const fixed = { ...model, graph: { ...baked, inputs: [{ name: 'x', elemType: 1, shape: [1, 4] }], outputs: [{ name: 'logits', elemType: 1, shape: [1, 2] }] } };
    const names = ['grad-norm', 'fisher', 'output-kl', 'ggn-trace'];
    const opts = { data, calibration: 6, gradientBatch: 2, hutchinsonSamples: 6, threads: 1 };
    const a = await scoreTest(model, names.map(criterionInstance), opts);
    const b = await scoreTest(fixed, names.map(criterionInstance), opts);
    for (const key of ['W1', 'W2']) {
      close(b.criteria[0]?.scores[key], a.criteria[0]?.scores[key] as number, 1e-4); // grad-norm: the mean gradient does not depend on chunking
      close(b.criteria[2]?.scores[key], a.criteria[2]?.scores[key] as number, 1e-4); // output-kl
    }
    expect(b.criteria[1]?.details).toEqual({ batch_size: 1, batches: 6, images: 6 });
    expect((b.criteria[3]?.details as { batch_size: number }).batch_size).toBe(1);
  });
});
