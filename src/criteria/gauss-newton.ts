/**
 * The Gauss–Newton (true Fisher) trace estimator shared by ggn-trace and hawq-v2-ggn.
 * For softmax cross-entropy G = E_x E_{y∼p(·|x)} ∇ℓ(x,y) ∇ℓ(x,y)ᵀ, and because E_y ∇ℓ(x, y) = 0 the
 * per-image gradients of a mini-batch are uncorrelated: with one label per image drawn from the
 * model's own softmax, n_b·‖g_b‖² (g_b the gradient of the mini-batch's mean loss) is an unbiased
 * estimate of the mini-batch's mean Tr(G_W). No finite differences, so ReLU and max-pool kinks add
 * no noise; for piecewise-linear networks the diagonal blocks of G and of the Hessian agree almost
 * everywhere. Label draws repeat until there are `samples` mini-batch estimates; the trace is their
 * mean weighted by n_b.
 */
import type { CriterionContext } from './criterion-context.js';
import type { TraceEstimate } from './trace-estimate.js';
import { sumSquares } from './weights.js';

export function gaussNewtonTraces(ctx: CriterionContext): Promise<TraceEstimate & { batchSize: number }> {
  const { hutchinsonSamples: samples, gradientBatch } = ctx.settings;
  return ctx.shared(`ggn-trace:${samples}:${gradientBatch}:${ctx.seed}`, async () => {
    const logits = await ctx.baseLogits();
    const { count } = await ctx.calibration();
    const classes = logits.length / count;
    const rng = ctx.rng();
    const estimates = new Map(ctx.layers.map((layer) => [layer.name, [] as number[]]));
    const weights: number[] = [];
    let batchSize = 0;
    while (weights.length < samples) {
      const labels = new Int32Array(count);
      for (let i = 0; i < count; i++) labels[i] = sampleSoftmax(logits, i * classes, classes, rng.nextFloat());
      ({ batchSize } = await ctx.forEachBatchGradient(labels, (batch) => {
        weights.push(batch.count);
        for (const layer of ctx.layers) estimates.get(layer.name)?.push(batch.count * sumSquares(batch.gradients.get(layer.name) as Float32Array));
      }));
    }
    const trace = new Map<string, number>();
    const stderr = new Map<string, number>();
    const running = new Map<string, number[]>();
    const total = weights.reduce((a, b) => a + b, 0);
    for (const [name, xs] of estimates) {
      const mean = xs.reduce((s, x, i) => s + x * (weights[i] as number), 0) / total;
      const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
      let sum = 0;
      let seen = 0;
      trace.set(name, mean);
      stderr.set(name, sd / Math.sqrt(xs.length));
      running.set(name, xs.map((x, i) => {
        sum += x * (weights[i] as number);
        seen += weights[i] as number;
        return sum / seen;
      }));
    }
    return { trace, stderr, running, samples: weights.length, batchSize };
  });
}

/** Class drawn from softmax(logits[offset .. offset + classes)) by inverse CDF at u ∈ [0, 1). */
function sampleSoftmax(logits: Float32Array, offset: number, classes: number, u: number): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[offset + c] as number);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp((logits[offset + c] as number) - max);
  let cumulative = 0;
  for (let c = 0; c < classes; c++) {
    cumulative += Math.exp((logits[offset + c] as number) - max) / sum;
    if (u < cumulative) return c;
  }
  return classes - 1;
}
