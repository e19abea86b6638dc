/**
 * Shared by output-kl and output-mse: per layer, the logits of the calibration batch with that layer
 * alone perturbed (one pass of the batch from that layer on, per layer), and the comparisons with the base logits.
 */
import type { Layer } from '../layers/layer.js';
import { addKlDivergence, logSoftmaxRow } from '../runtime/metrics.js';
import type { CriterionContext } from './criterion-context.js';

/** Perturbed calibration logits per layer, computed once per (perturbation, seed) and shared. */
export function perturbedLogits(ctx: CriterionContext): Promise<Map<string, Float32Array>> {
  return ctx.shared(`perturbed-logits:${ctx.perturbation.text}:${ctx.seed}`, async () => {
    const out = new Map<string, Float32Array>();
    for (const layer of ctx.layers) out.set(layer.name, await ctx.layerCalibrationLogits(layer, perturbedValues(ctx, layer)));
    return out;
  });
}

function perturbedValues(ctx: CriterionContext, layer: Layer): Map<string, Float32Array> {
  const result = ctx.perturb(layer);
  const values = new Map([[layer.name, result.weight]]);
  if (result.bias && layer.bias) values.set(layer.bias, result.bias);
  return values;
}

/**
 * A layer whose perturbation makes some logit NaN or infinite (a bit flip in an exponent, say) changed
 * the output more than any finite comparison can say: it gets the largest finite score, Number.MAX_VALUE.
 */
export const NON_FINITE_SCORE = Number.MAX_VALUE;

/** Mean over samples of D_KL(softmax(perturbed) ‖ softmax(base)). */
export function meanKl(perturbed: Float32Array, base: Float32Array, count: number): number {
  if (count === 0) return 0;
  const classes = base.length / count;
  const lp = new Float64Array(classes);
  const lq = new Float64Array(classes);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const off = i * classes;
    for (let c = 0; c < classes; c++) if (!Number.isFinite(perturbed[off + c] as number)) return NON_FINITE_SCORE;
    logSoftmaxRow(perturbed, off, classes, lp);
    logSoftmaxRow(base, off, classes, lq);
    sum = addKlDivergence(sum, lp, lq, classes);
  }
  return Math.max(0, sum / count);
}

/** Mean over samples and classes of (perturbed − base)². */
export function meanSquaredError(perturbed: Float32Array, base: Float32Array): number {
  if (base.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < base.length; i++) {
    const p = perturbed[i] as number;
    if (!Number.isFinite(p)) return NON_FINITE_SCORE;
    sum += (p - (base[i] as number)) ** 2;
  }
  return Math.min(NON_FINITE_SCORE, sum / base.length);
}
