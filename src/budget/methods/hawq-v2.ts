/** HAWQ-V2 (Dong et al. 2020): cost of b bits = Tr(H_l)/n_l · ‖Q_b(W_l) − W_l‖² with Q_b = quantc:b, on the exact solver. */
import { quantizeChannels } from '../../perturb/quantize.js';
import { channelLayout } from '../../perturb/target.js';
import { BudgetInputError } from '../errors.js';
import { defineBudgetMethod } from '../method.js';
import { solveQuantBudget } from '../solve-quant.js';
import type { BudgetLayer, WeightSource } from '../types.js';
import { layerWeights } from '../weights.js';

export default defineBudgetMethod({
  id: 'hawq-v2',
  title: 'HAWQ-V2 Tr(H)/n · ‖Q_b(W) − W‖² per bit-width, on the exact solver',
  cite: 'Dong et al. 2020 (HAWQ-V2: Hessian Aware trace-Weighted Quantization of Neural Networks)',
  kinds: ['quant'],
  needs: { data: true, costs: false, weights: true, trace: true },
  allocate: ({ layers, budget, keep, limits, weights, traces }) =>
    solveQuantBudget(layers, budget, keep, (layer, bits) => hawqCost(layer, bits, weights, traces), limits),
});

/** Tr(H_l)/n_l · Σ (quantc_b(w) − w)², in float64. */
export function hawqCost(layer: BudgetLayer, bits: number, weights: WeightSource, traces: ReadonlyMap<string, number>): number {
  const trace = traces.get(layer.name);
  if (trace === undefined || !Number.isFinite(trace)) throw new BudgetInputError(`no finite Hessian trace for layer "${layer.name}"`);
  const weight = layerWeights(weights, layer);
  const n = weight.length;
  if (n === 0) return 0;
  const quantized = quantizeChannels(weight, channelLayout(layer.shape, layer.channelAxis), bits);
  let energy = 0;
  for (let i = 0; i < n; i++) energy += (quantized[i]! - weight[i]!) ** 2;
  return (trace / n) * energy;
}
