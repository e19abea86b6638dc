/** Tiny models whose criterion values are known by construction, and an in-memory data set. */
import type { LabeledBatches } from '../../src/runtime/evaluate.js';
import type { Model } from '../../src/onnx/ir.js';
import { CRITERIA, criterionInstance, type CriterionInstance } from '../../src/criteria/index.js';
import { scoreModel, type ScoreReport } from '../../src/criteria/score.js';
import type { ScoringOptions } from '../../src/criteria/scoring-session.js';
import { floatInit, floatValue, int, makeModel, node, prepareTest } from '../helpers/models.js';

export interface MlpWeights {
  W1: number[]; // [3, 4]
  b1: number[]; // [3]
  W2: number[]; // [2, 3]
  b2: number[]; // [2]
}

export type Activation = 'Relu' | 'Tanh';

const ACTIVATIONS: Record<Activation, { f: (z: number) => number; df: (z: number) => number }> = {
  Relu: { f: (z) => Math.max(0, z), df: (z) => (z > 0 ? 1 : 0) },
  Tanh: { f: Math.tanh, df: (z) => 1 - Math.tanh(z) ** 2 },
};

/** x[N,4] → Gemm(W1[3,4], b1, transB=1) → Relu (or Tanh) → Gemm(W2[2,3], b2, transB=1) → logits[N,2]. */
export function mlp(w: MlpWeights, activation: Activation = 'Relu'): Model {
  return makeModel({
    nodes: [
      node('Gemm', ['x', 'W1', 'b1'], ['h'], { transB: int(1) }, 'fc1'),
      node(activation, ['h'], ['r']),
      node('Gemm', ['r', 'W2', 'b2'], ['logits'], { transB: int(1) }, 'fc2'),
    ],
    initializers: [floatInit('W1', [3, 4], w.W1), floatInit('b1', [3], w.b1), floatInit('W2', [2, 3], w.W2), floatInit('b2', [2], w.b2)],
    inputs: [floatValue('x', ['N', 4])],
    outputs: [floatValue('logits', ['N', 2])],
  });
}

/** The same MLP evaluated in float64 JavaScript: logits of each row of x. */
export function mlpLogits(w: MlpWeights, x: Float32Array, count: number): Float64Array {
  const out = new Float64Array(count * 2);
  for (let n = 0; n < count; n++) {
    const h = [0, 1, 2].map((j) => {
      let s = w.b1[j] as number;
      for (let i = 0; i < 4; i++) s += (w.W1[j * 4 + i] as number) * (x[n * 4 + i] as number);
      return Math.max(0, s);
    });
    for (let k = 0; k < 2; k++) {
      let s = w.b2[k] as number;
      for (let j = 0; j < 3; j++) s += (w.W2[k * 3 + j] as number) * (h[j] as number);
      out[n * 2 + k] = s;
    }
  }
  return out;
}

/** Deterministic pseudo-random samples in [-1, 1) and labels. */
export function memoryData(count: number, sampleShape: readonly number[], classes: number): LabeledBatches & { images: Float32Array; labels: Int32Array } {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const images = new Float32Array(count * size);
  let state = 987654321;
  for (let i = 0; i < images.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    images[i] = state / 2 ** 31 - 1;
  }
  const labels = Int32Array.from({ length: count }, (_, i) => i % classes);
  return {
    count,
    sampleShape,
    description: `memory (${count} samples)`,
    images,
    labels,
    async *batches(batchSize: number, options: { start?: number; end?: number } = {}) {
      const start = options.start ?? 0;
      const end = Math.min(options.end ?? count, count);
      for (let s = start; s < end; s += batchSize) {
        const n = Math.min(batchSize, end - s);
        yield { start: s, count: n, images: images.slice(s * size, (s + n) * size), labels: labels.slice(s, s + n) };
      }
    },
  };
}

/** scoreModel on a model held in memory, prepared for the data's samples (or its input's, without data). */
export async function scoreTest(model: Model, instances: readonly CriterionInstance[], options: Parameters<typeof scoreModel>[2] = {}): Promise<ScoreReport> {
  return scoreModel(await prepareTest(model, options.data?.sampleShape), instances, options);
}

/** Scores of one criterion instance ("id" or "id@perturbation") on a model. */
export async function scoresOf(model: Model, name: string, data?: LabeledBatches, extra: Omit<ScoringOptions, 'data'> = {}): Promise<Record<string, number | null>> {
  const result = await scoreTest(model, [criterionInstance(name)], { threads: 1, ...(data ? { data } : {}), ...extra });
  return result.criteria[0]?.scores ?? {};
}

export function allInstances(): CriterionInstance[] {
  return CRITERIA.map((c) => criterionInstance(c.id));
}

export interface MlpGradients {
  loss: number;
  W1: Float64Array;
  b1: Float64Array;
  W2: Float64Array;
  b2: Float64Array;
}

/** Mean cross-entropy of the MLP over rows [start, end) and its gradients, by hand in float64. */
export function mlpLossAndGradients(w: MlpWeights, x: Float32Array, labels: Int32Array, start: number, end: number, activation: Activation = 'Relu'): MlpGradients {
  const act = ACTIVATIONS[activation];
  const g: MlpGradients = { loss: 0, W1: new Float64Array(12), b1: new Float64Array(3), W2: new Float64Array(6), b2: new Float64Array(2) };
  const n = end - start;
  for (let row = start; row < end; row++) {
    const pre = [0, 1, 2].map((j) => {
      let s = w.b1[j] as number;
      for (let i = 0; i < 4; i++) s += (w.W1[j * 4 + i] as number) * (x[row * 4 + i] as number);
      return s;
    });
    const h = pre.map(act.f);
    const z = [0, 1].map((k) => (w.b2[k] as number) + [0, 1, 2].reduce((s, j) => s + (w.W2[k * 3 + j] as number) * (h[j] as number), 0));
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    const label = labels[row] as number;
    g.loss += (lse - (z[label] as number)) / n;
    const dz = z.map((v, k) => (Math.exp(v - lse) - (k === label ? 1 : 0)) / n);
    for (let k = 0; k < 2; k++) {
      g.b2[k] = (g.b2[k] as number) + (dz[k] as number);
      for (let j = 0; j < 3; j++) g.W2[k * 3 + j] = (g.W2[k * 3 + j] as number) + (dz[k] as number) * (h[j] as number);
    }
    for (let j = 0; j < 3; j++) {
      const dh = act.df(pre[j] as number) * ((dz[0] as number) * (w.W2[j] as number) + (dz[1] as number) * (w.W2[3 + j] as number));
      g.b1[j] = (g.b1[j] as number) + dh;
      for (let i = 0; i < 4; i++) g.W1[j * 4 + i] = (g.W1[j * 4 + i] as number) + dh * (x[row * 4 + i] as number);
    }
  }
  return g;
}
