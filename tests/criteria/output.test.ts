import { describe, expect, it } from 'vitest';
import { criterionInstance } from '../../src/criteria/index.js';
import { memoryData, mlp, scoreTest, mlpLogits, scoresOf, type MlpWeights } from './helpers.js';

const W: MlpWeights = {
  W1: [7, 3.5, 1, 0.25, 1, 1, 1, 1, 2, 2, 2, 2],
  b1: [0.5, -0.5, 1],
  W2: [3, -4, 0, 0, 0, 0],
  b2: [1, 2],
};
const model = mlp(W);
const data = memoryData(40, [4], 2);

function logSoftmax(logits: Float64Array, row: number): number[] {
  const a = logits[row * 2] as number;
  const b = logits[row * 2 + 1] as number;
  const m = Math.max(a, b);
  const lse = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
  return [a - lse, b - lse];
}

function expected(perturbed: MlpWeights, count: number): { kl: number; mse: number } {
  const base = mlpLogits(W, data.images, count);
  const pert = mlpLogits(perturbed, data.images, count);
  let kl = 0;
  let se = 0;
  for (let n = 0; n < count; n++) {
    const lp = logSoftmax(pert, n);
    const lq = logSoftmax(base, n);
    for (let c = 0; c < 2; c++) kl += Math.exp(lp[c] as number) * ((lp[c] as number) - (lq[c] as number));
    for (let c = 0; c < 2; c++) se += ((pert[n * 2 + c] as number) - (base[n * 2 + c] as number)) ** 2;
  }
  return { kl: kl / count, mse: se / (count * 2) };
}

describe('output-based criteria', () => {
  // quant:4 — W1: 3.5 → 4, 0.25 → 0 (scale 1); W2: scale 4/7, 3 → 5 · 4/7.
  const q1: MlpWeights = { ...W, W1: [7, 4, 1, 0, 1, 1, 1, 1, 2, 2, 2, 2] };
  const q2: MlpWeights = { ...W, W2: [Math.fround(5 * Math.fround(4 / 7)), -4, 0, 0, 0, 0] };

  it('output-mse and output-kl equal the logit MSE and KL(perturbed ‖ base) computed by hand', async () => {
    const mse = await scoresOf(model, 'output-mse', data, { calibration: 32 });
    const kl = await scoresOf(model, 'output-kl', data, { calibration: 32 });
    expect(mse.W1).toBeCloseTo(expected(q1, 32).mse, 4);
    expect(mse.W2).toBeCloseTo(expected(q2, 32).mse, 4);
    expect((kl.W1 as number) / expected(q1, 32).kl).toBeCloseTo(1, 3);
    expect((kl.W2 as number) / expected(q2, 32).kl).toBeCloseTo(1, 3);
  });

  it('perturb weights and bias together for prunec', async () => {
    // prunec:0.5 on W2 zeroes output channel 1 (norm 0) and its bias b2[1] = 2.
    const pruned: MlpWeights = { ...W, b2: [1, 0] };
    const mse = await scoresOf(model, 'output-mse@prunec:0.5', data, { calibration: 40 });
    expect(mse.W2).toBeCloseTo(expected(pruned, 40).mse, 5);
    expect(mse.W2).toBeCloseTo(2, 5); // only logit 1 moves, by 2, in every row: 4 / 2 classes
  });

  it('score 0 for a layer the perturbation leaves unchanged', async () => {
    const onGrid: MlpWeights = { ...W, W1: [7, 3, 1, 0, 1, 1, 1, 1, 2, 2, 2, 2] };
    const s = await scoresOf(mlp(onGrid), 'output-kl', data);
    expect(s.W1).toBe(0);
    expect(s.W2).toBeGreaterThan(0);
  });

  it('draw stochastic perturbations reproducibly per seed', async () => {
    const a = await scoresOf(model, 'output-mse@noise:0.5', data, { seed: 1 });
    expect(await scoresOf(model, 'output-mse@noise:0.5', data, { seed: 1 })).toEqual(a);
    expect(await scoresOf(model, 'output-mse@noise:0.5', data, { seed: 2 })).not.toEqual(a);
  });

  it('charge shared work (base logits, perturbed logits, session) to every criterion that uses it', async () => {
    const instances = ['output-kl', 'output-mse', 'l2-norm'].map(criterionInstance);
    const r = await scoreTest(model, instances, { data, calibration: 32, threads: 1 });
    const [kl, mse, l2] = r.criteria;
    // base (32 images) + one perturbed run per layer (2 × 32): 96 forward image-passes each.
    expect(kl?.passes).toEqual({ forward: 96, backward: 0 });
    expect(mse?.passes).toEqual({ forward: 96, backward: 0 });
    expect(l2?.passes).toEqual({ forward: 0, backward: 0 });
    expect(mse?.seconds).toBeGreaterThan(0);
    expect(r.calibration).toBe(32);
    // The same criteria in the other order cost the same passes.
    const reversed = await scoreTest(model, [...instances].reverse(), { data, calibration: 32, threads: 1 });
    expect(reversed.criteria.map((c) => c.passes.forward)).toEqual([0, 96, 96]);
  });

  it('refuse to run without data', async () => {
    await expect(scoresOf(model, 'output-kl')).rejects.toThrow(/need calibration data/);
  });
});
