/**
 * Gauss–Newton (true Fisher) trace per layer, unbiased from mini-batch gradients with labels drawn
 * from the model's own softmax. For softmax cross-entropy G = E_x E_{y∼p(·|x)} ∇ℓ(x,y) ∇ℓ(x,y)ᵀ, and
 * because E_y ∇ℓ(x, y) = 0 the per-image gradients of a mini-batch are uncorrelated: with one drawn
 * label per image, n_b·‖g_b‖² (g_b the gradient of the mini-batch's mean loss) is an unbiased
 * estimate of the mini-batch's mean Tr(G_W). No finite differences, so ReLU and max-pool kinks do
 * not add noise; for piecewise-linear networks the diagonal blocks of G and of the Hessian agree
 * almost everywhere.
 */
import { defineCriterion } from './criterion.js';
import { sumSquares } from './weights.js';

export default defineCriterion({
  id: 'ggn-trace',
  title: 'Gauss–Newton (true Fisher) trace',
  family: 'second-order',
  cite: 'Martens 2020 (New insights and perspectives on the natural gradient method): the Gauss–Newton matrix of softmax cross-entropy equals the Fisher with model-sampled labels; safer estimator',
  formula: 'Tr(G_W) = E_x E_{y∼softmax(f(x))} ‖∂ℓ(x, y)/∂W‖², estimated by n_b·‖∂L_b/∂W‖² on mini-batches with one sampled label per image',
  needs: { data: true, gradients: true, hvp: false },
  compute: async (ctx) => {
    const logits = await ctx.baseLogits();
    const { count } = await ctx.calibration();
    const classes = logits.length / count;
    const rng = ctx.rng();
    const samples = ctx.settings.hutchinsonSamples;
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
    const scores = new Map<string, number>();
    const layers: Record<string, unknown> = {};
    const total = weights.reduce((a, b) => a + b, 0);
    for (const [name, xs] of estimates) {
      const mean = xs.reduce((s, x, i) => s + x * (weights[i] as number), 0) / total;
      const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
      let running = 0;
      let seen = 0;
      scores.set(name, mean);
      layers[name] = {
        trace: mean,
        stderr: sd / Math.sqrt(xs.length),
        running_mean: xs.map((x, i) => {
          running += x * (weights[i] as number);
          seen += weights[i] as number;
          return running / seen;
        }),
      };
    }
    return { scores, details: { samples: weights.length, batch_size: batchSize, layers } };
  },
});

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
