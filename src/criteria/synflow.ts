/**
 * SynFlow per layer, forward-only. With every float initializer replaced by its absolute value and an
 * all-ones input, R = Σ logits; the layer's score is Σ over its weights and bias of θ·∂R/∂θ, which is
 * the derivative of R along the scaling t ↦ R(t·θ_layer) at t = 1 (Euler). For networks that are
 * piecewise linear (ReLU, pooling) every activation is ≥ 0 here, so R is affine in t and the central
 * difference is exact; Richardson extrapolation of two central differences (ε = 1/4, 1/8) keeps the
 * error O(ε⁴) for smooth activations. Four forward runs of one image per layer, no gradients.
 */
import type { TypedArray } from '../onnx/dtypes.js';
import { withInitializerValues } from '../onnx/edit.js';
import type { Model } from '../onnx/ir.js';
import { defineCriterion } from './criterion.js';

const STEPS = [0.25, 0.125] as const;

export default defineCriterion({
  id: 'synflow',
  title: 'SynFlow synaptic saliency, summed per layer',
  family: 'data-free',
  cite: 'Tanaka et al. 2020 (Pruning neural networks without any data by iteratively conserving synaptic flow)',
  formula: 'Σ_{θ ∈ W, b} θ·∂R/∂θ with R = 1ᵀ f(1; |θ|) (all weights absolute, all-ones input)',
  needs: { data: false, gradients: false, hvp: false },
  compute: async (ctx) => {
    const runner = await ctx.forwardRunner('synflow', { ...ctx.prepared, model: absoluteModel(ctx.model) });
    const ones = new Float32Array(ctx.sampleShape().reduce((a, b) => a * b, 1)).fill(1);
    const flow = async (values?: ReadonlyMap<string, Float32Array>): Promise<number> => {
      const logits = await runner.logits(ones, 1, values);
      let sum = 0;
      for (let i = 0; i < logits.length; i++) sum += logits[i] as number;
      return sum;
    };
    const total = await flow();
    const scores = new Map<string, number>();
    for (const layer of ctx.layers) {
      const w = absolute(ctx.weight(layer));
      const bias = ctx.bias(layer);
      const b = bias ? absolute(bias) : undefined;
      const scaled = (t: number): Map<string, Float32Array> => {
        const values = new Map([[layer.name, w.map((x) => x * t)]]);
        if (b && layer.bias) values.set(layer.bias, b.map((x) => x * t));
        return values;
      };
      const central: number[] = [];
      for (const eps of STEPS) central.push(((await flow(scaled(1 + eps))) - (await flow(scaled(1 - eps)))) / (2 * eps));
      const [coarse, fine] = central as [number, number];
      scores.set(layer.name, (4 * fine - coarse) / 3);
    }
    return { scores, details: { flow: Number.isFinite(total) ? total : null, overflow: !Number.isFinite(total) } };
  },
});

function absolute(values: Float32Array): Float32Array {
  return values.map(Math.abs);
}

/** Every float32 initializer replaced by its absolute value (as SynFlow's `param.abs_()` over the state dict). */
function absoluteModel(model: Model): Model {
  const values = new Map<string, TypedArray>();
  for (const [name, init] of model.graph.initializers) {
    if (init.data instanceof Float32Array) values.set(name, absolute(init.data));
  }
  return withInitializerValues(model, values);
}
