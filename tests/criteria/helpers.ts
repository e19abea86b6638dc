/** Tiny models whose criterion values are known by construction, and an in-memory data set. */
import type { LabeledBatches } from '../../src/runtime/evaluate.js';
import type { Model } from '../../src/onnx/ir.js';
import { CRITERIA, criterionInstance, type CriterionInstance } from '../../src/criteria/index.js';
import { scoreModel } from '../../src/criteria/score.js';
import { floatInit, floatValue, int, makeModel, node } from '../helpers/models.js';

export interface MlpWeights {
  W1: number[]; // [3, 4]
  b1: number[]; // [3]
  W2: number[]; // [2, 3]
  b2: number[]; // [2]
}

/** x[N,4] → Gemm(W1[3,4], b1, transB=1) → Relu → Gemm(W2[2,3], b2, transB=1) → logits[N,2]. */
export function mlp(w: MlpWeights): Model {
  return makeModel({
    nodes: [
      node('Gemm', ['x', 'W1', 'b1'], ['h'], { transB: int(1) }, 'fc1'),
      node('Relu', ['h'], ['r']),
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

/** Scores of one criterion instance ("id" or "id@perturbation") on a model. */
export async function scoresOf(model: Model, name: string, data?: LabeledBatches, extra: { calibration?: number; seed?: number } = {}): Promise<Record<string, number | null>> {
  const result = await scoreModel(model, [criterionInstance(name)], { threads: 1, ...(data ? { data } : {}), ...extra });
  return result.criteria[0]?.scores ?? {};
}

export function allInstances(): CriterionInstance[] {
  return CRITERIA.map((c) => criterionInstance(c.id));
}
