/**
 * Hutchinson's estimator of each layer's Hessian trace Tr(H_ll), shared by hutchinson-trace and hawq-v2.
 * Each sample draws Rademacher r (±1) for every layer at once, scales it per layer by s_l = rms(W_l)
 * (1 if W_l = 0) so that the finite-difference step suits every layer, and takes one Hessian-vector
 * product u = H·v, v_l = s_l·r_l, by central gradient differences with step h = 0.1 (each weight moves
 * by a tenth of its layer's RMS): exact for quadratic losses, O(h²) ≈ 1% for smooth ones. On ReLU and
 * max-pool networks gradients jump where a unit or a pooling choice switches; each jump crossed adds
 * jump / 2h, so the variance of those terms grows like 1/h, and smaller steps (1e-2 to 1e-4) gave far
 * noisier estimates on the zoo's CNNs. The result is the curvature averaged over the step.
 * T_l = r_lᵀ u_l / s_l is unbiased for Tr(H_ll): the cross-layer terms have mean zero.
 * Convergence: per layer the running mean after each sample and the standard error of the mean.
 */
import type { CriterionContext } from './criterion-context.js';
import type { TraceEstimate } from './trace-estimate.js';
import { sumSquares } from './weights.js';

export const HVP_STEP = 1e-1;

export function hessianTraces(ctx: CriterionContext): Promise<TraceEstimate> {
  const samples = ctx.settings.hutchinsonSamples;
  return ctx.shared(`hutchinson:${samples}:${ctx.seed}`, async () => {
    const rng = ctx.rng();
    const scale = new Map(ctx.layers.map((layer) => {
      const w = ctx.weight(layer);
      const rms = w.length > 0 ? Math.sqrt(sumSquares(w) / w.length) : 0;
      return [layer.name, rms > 0 ? rms : 1];
    }));
    const draws = new Map(ctx.layers.map((layer) => [layer.name, [] as number[]]));
    for (let s = 0; s < samples; s++) {
      const signs = new Map<string, Float32Array>();
      const v = new Map<string, Float32Array>();
      for (const layer of ctx.layers) {
        const n = ctx.weight(layer).length;
        const r = new Float32Array(n);
        let bits = 0;
        for (let i = 0; i < n; i++) {
          if (i % 32 === 0) bits = rng.nextUint32();
          r[i] = (bits >>> (i % 32)) & 1 ? 1 : -1;
        }
        const sl = scale.get(layer.name) as number;
        signs.set(layer.name, r);
        v.set(layer.name, r.map((x) => x * sl));
      }
      const hv = await ctx.hvp(v, HVP_STEP);
      for (const layer of ctx.layers) {
        const r = signs.get(layer.name) as Float32Array;
        const u = hv.get(layer.name) as Float32Array;
        let dot = 0;
        for (let i = 0; i < r.length; i++) dot += (r[i] as number) * (u[i] as number);
        draws.get(layer.name)?.push(dot / (scale.get(layer.name) as number));
      }
    }
    const trace = new Map<string, number>();
    const stderr = new Map<string, number>();
    const running = new Map<string, number[]>();
    for (const [name, xs] of draws) {
      let sum = 0;
      running.set(name, xs.map((x, i) => (sum += x) / (i + 1)));
      const mean = sum / xs.length;
      const variance = xs.length > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) : 0;
      trace.set(name, mean);
      stderr.set(name, Math.sqrt(variance / xs.length));
    }
    return { trace, stderr, running, samples };
  });
}
