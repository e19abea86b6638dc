/**
 * Integrated gradients of the calibration loss along a straight path in one layer's parameters,
 * shared by integrated-gradients-perturbation and integrated-gradients-removal. From start S to the
 * stored weights W: IG = Σ (W − S) ⊙ ∫₀¹ ∇L(S + α(W − S)) dα = L(W) − L(S) (completeness), the
 * integral by the trapezoid rule on m + 1 points α = k/m (endpoint weights 1/2m, others 1/m).
 * The score is the predicted loss increase L(S) − L(W) = −IG. The α = 1 end is the gradient at the
 * stored weights (shared); the α = 0 end gives L(S) exactly, so the details report how far the
 * integral is from the measured loss change on the same images. If the integral is not finite (the
 * start holds NaN or huge weights after a bit flip), the layer scores Number.MAX_VALUE, as in output-kl.
 */
import type { Layer } from '../layers/layer.js';
import type { CriterionContext } from './criterion-context.js';
import { NON_FINITE_SCORE } from './output-divergence.js';

export interface PathIntegral {
  /** −IG: the loss increase the path integral predicts for moving the layer from W to S. */
  predicted: number;
  /** L(S) − L(W) measured on the calibration batch (NaN if the path was empty). */
  measured: number;
}

/** `start` maps the layer's weight (and possibly bias) name to its values at α = 0. */
export async function integrateLossPath(ctx: CriterionContext, layer: Layer, start: ReadonlyMap<string, Float32Array>): Promise<PathIntegral> {
  const stored = new Map<string, Float32Array>();
  const delta = new Map<string, Float32Array>();
  for (const [name, s] of start) {
    const w = name === layer.name ? ctx.weight(layer) : (ctx.bias(layer) as Float32Array);
    const d = w.map((x, i) => x - (s[i] as number));
    if (d.some((x) => x !== 0)) {
      stored.set(name, w);
      delta.set(name, d);
    }
  }
  if (delta.size === 0) return { predicted: 0, measured: 0 };
  const m = ctx.settings.integrationSteps;
  const base = await ctx.gradientStatistics();
  let ig = 0;
  let startLoss = NaN;
  for (let k = 0; k <= m; k++) {
    const alpha = k / m;
    const weight = k === 0 || k === m ? 1 / (2 * m) : 1 / m;
    let point = base;
    if (k < m) {
      const values = new Map<string, Float32Array>();
      for (const [name, d] of delta) {
        const s = start.get(name) as Float32Array;
        values.set(name, s.map((x, i) => x + alpha * (d[i] as number)));
      }
      point = { ...base, ...(await ctx.gradientsAt(values)) };
      if (k === 0) startLoss = point.loss;
    }
    for (const [name, d] of delta) {
      const g = point.gradients.get(name) as Float32Array;
      let dot = 0;
      for (let i = 0; i < d.length; i++) dot += (d[i] as number) * (g[i] as number);
      ig += weight * dot;
    }
  }
  const predicted = -ig;
  // A start with non-finite weights or loss (a bit flip in an exponent, say) is beyond any finite prediction.
  return { predicted: Number.isFinite(predicted) ? predicted : NON_FINITE_SCORE, measured: startLoss - base.loss };
}

/** JSON-safe details: per layer the predicted and measured loss change. */
export function pathDetails(results: ReadonlyMap<string, PathIntegral>, steps: number): Record<string, unknown> {
  const layers: Record<string, unknown> = {};
  for (const [name, r] of results) layers[name] = { predicted_loss_increase: r.predicted, measured_loss_increase: Number.isFinite(r.measured) ? r.measured : null };
  return { steps, rule: 'trapezoid', layers };
}
