import { describe, expect, it } from 'vitest';
import { makeModel, floatInit, floatValue, int, node } from '../helpers/models.js';
import { criterionInstance } from '../../src/criteria/index.js';
import { mlp, scoresOf, scoreTest, type MlpWeights } from './helpers.js';

// W1 sits on the quant:4 grid except for two entries; W2 is off-grid.
const W: MlpWeights = {
  W1: [7, 3.5, 1, 0.25, 1, 1, 1, 1, 2, 2, 2, 2],
  b1: [0.5, -0.5, 1],
  W2: [3, -4, 0, 0, 0, 0],
  b2: [1, 2],
};
const model = mlp(W);

/** 4-layer MatMul chain x[N,2] · A · B · C · D, no biases. */
function chain(n = 4) {
  const names = ['A', 'B', 'C', 'D', 'E', 'F'].slice(0, n);
  return makeModel({
    nodes: names.map((w, i) => node('MatMul', [i === 0 ? 'x' : `h${i}`, w], [i === n - 1 ? 'logits' : `h${i + 1}`], {}, `mm${i}`)),
    initializers: names.map((w, i) => floatInit(w, [2, 2], [1 + i, 0.5, -0.25, 2])),
    inputs: [floatValue('x', ['N', 2])],
    outputs: [floatValue('logits', ['N', 2])],
  });
}

describe('data-free criteria on a tiny MLP', () => {
  it('param-count counts weights and bias', async () => {
    expect(await scoresOf(model, 'param-count')).toEqual({ W1: 15, W2: 8 });
  });

  it('depth and edge-proximity follow the layer order', async () => {
    expect(await scoresOf(chain(), 'depth')).toEqual({ A: 0, B: 1 / 3, C: 2 / 3, D: 1 });
    expect(await scoresOf(chain(), 'edge-proximity')).toEqual({ A: 1, B: 0.5, C: 0.5, D: 1 });
    expect(await scoresOf(chain(5), 'edge-proximity')).toEqual({ A: 1, B: 0.5, C: 1 / 3, D: 0.5, E: 1 });
  });

  it('l1-norm, l2-norm, mean-abs and weight-std use the weights only', async () => {
    const w1Abs = 7 + 3.5 + 1 + 0.25 + 4 + 8;
    expect(await scoresOf(model, 'l1-norm')).toEqual({ W1: w1Abs, W2: 7 });
    const l2 = await scoresOf(model, 'l2-norm');
    expect(l2.W2).toBeCloseTo(5, 12);
    expect(l2.W1).toBeCloseTo(Math.sqrt(49 + 12.25 + 1 + 0.0625 + 4 + 16), 12);
    expect(await scoresOf(model, 'mean-abs')).toEqual({ W1: w1Abs / 12, W2: 7 / 6 });
    const std = await scoresOf(model, 'weight-std');
    const m = -1 / 6;
    expect(std.W2).toBeCloseTo(Math.sqrt(((3 - m) ** 2 + (-4 - m) ** 2 + 4 * m ** 2) / 6), 12);
  });

  it('quant-error is ‖Q_4(W) − W‖² (absolute and relative), with other widths and per-channel variants', async () => {
    // W1: max 7 → scale 1; 3.5 rounds half-to-even to 4, 0.25 to 0: error 0.5² + 0.25² = 0.3125.
    // W2: max 4 → scale 4/7; 3 → round(5.25) = 5 → 20/7, error (1/7)²; −4 and 0 exact.
    const q = await scoresOf(model, 'quant-error');
    expect(q.W1).toBeCloseTo(0.3125, 6);
    expect(q.W2).toBeCloseTo(1 / 49, 6);
    const rel = await scoresOf(model, 'quant-error-relative');
    expect(rel.W2).toBeCloseTo(1 / 49 / 25, 6);
    expect(rel.W1).toBeCloseTo(0.3125 / (49 + 12.25 + 1 + 0.0625 + 4 + 16), 6);
    // 8 bits: scale 7/127 for W1 (3.5 = 63.5 steps → 64 (even) → off by 0.5 step).
    const q8 = await scoresOf(model, 'quant-error@quant:8');
    expect(q8.W1).toBeGreaterThan(0);
    expect(q8.W1).toBeLessThan(q.W1 as number);
    // Per channel (rows of W1): row 1 [1,1,1,1] and row 2 [2,2,2,2] are exact; row 0 as before.
    expect((await scoresOf(model, 'quant-error@quantc:4')).W1).toBeCloseTo(0.3125, 6);
  });

  it('prune-error is the energy prune:r removes; prunec:r counts the bias too', async () => {
    // prune:0.5 zeroes the 6 smallest |w| of W1: 0.25, 1, 1, 1, 1, 1 → 0.0625 + 5.
    expect((await scoresOf(model, 'prune-error')).W1).toBeCloseTo(5.0625, 6);
    // prunec:0.5 on W2 (2 output channels) zeroes floor(1) channel: row 1 (norm 0) and its bias 2 → 4.
    expect((await scoresOf(model, 'prune-error@prunec:0.5')).W2).toBeCloseTo(4, 6);
  });

  it('random is seeded, uniform in [0, 1), and changes with the seed', async () => {
    const a = await scoresOf(chain(), 'random', undefined, { seed: 3 });
    expect(await scoresOf(chain(), 'random', undefined, { seed: 3 })).toEqual(a);
    expect(await scoresOf(chain(), 'random', undefined, { seed: 4 })).not.toEqual(a);
    for (const v of Object.values(a)) expect(v).toBeGreaterThanOrEqual(0);
    for (const v of Object.values(a)) expect(v).toBeLessThan(1);
  });
});

describe('synflow', () => {
  it('is R minus the paths that bypass the layer: exact on a ReLU MLP with biases', async () => {
    // With |θ| and x = 1: h = |W1|·1 + |b1|, R = 1ᵀ(|W2| h + |b2|).
    // Layer 2 (W2, b2): every path goes through it, score = R. Layer 1: R − 1ᵀ|b2|.
    const abs = (v: number[]) => v.map(Math.abs);
    const h = [0, 1, 2].map((j) => abs(W.W1).slice(j * 4, j * 4 + 4).reduce((a, b) => a + b, 0) + Math.abs(W.b1[j] as number));
    const R = [0, 1].reduce((s, k) => s + [0, 1, 2].reduce((t, j) => t + Math.abs(W.W2[k * 3 + j] as number) * (h[j] as number), 0) + Math.abs(W.b2[k] as number), 0);
    const s = await scoresOf(model, 'synflow');
    expect(s.W2).toBeCloseTo(R, 3);
    expect(s.W1).toBeCloseTo(R - 3, 3);
  });

  it('gives every layer the same score without biases (the conservation law of Tanaka et al.)', async () => {
    const s = Object.values(await scoresOf(chain(), 'synflow')) as number[];
    // |A||B||C||D| on ones: each |layer| = [[i+1, .5], [.25, 2]]; R is the same for all four layers.
    for (const v of s) expect(v / (s[0] as number)).toBeCloseTo(1, 5);
    expect(s[0]).toBeGreaterThan(0);
  });

  it('uses the model input shape when no data is given, and needs a fixed one', async () => {
    const dynamic = makeModel({
      nodes: [node('Gemm', ['x', 'W'], ['logits'], { transB: int(1) })],
      initializers: [floatInit('W', [2, 3])],
      inputs: [{ name: 'x', elemType: 1, shape: ['N', 'F'] }],
      outputs: [floatValue('logits', ['N', 2])],
    });
    // The model is prepared (and probed) once, before any criterion: without a sample shape it cannot be.
    await expect(scoreTest(dynamic, [criterionInstance('synflow')], { threads: 1 })).rejects.toThrow(/no fixed sample shape; give --data/);
  });
});
