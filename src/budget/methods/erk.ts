/** ERK (Evci et al. 2020): density ∝ (Σ dims)/(Π dims) of the weight shape, dense layers capped at 100% and the rest re-scaled. */
import { exactCounts, pruneAllocation } from '../allocations.js';
import { pruneTarget } from '../counts.js';
import { freeLayers, totalWeights, weightCount } from '../layers.js';
import { defineBudgetMethod } from '../method.js';
import { scaleToTotal } from '../scale-to-total.js';
import type { BudgetLayer } from '../types.js';

export default defineBudgetMethod({
  id: 'erk',
  title: 'Erdős–Rényi-Kernel: density ∝ (n_out + n_in + k_h + k_w)/(n_out·n_in·k_h·k_w)',
  cite: 'Evci et al. 2020 (Rigging the Lottery), as a baseline in Lee et al. 2021',
  kinds: ['prune'],
  needs: { data: false, costs: false, weights: false, trace: false },
  allocate: ({ layers, budget, keep }) => {
    const free = freeLayers(layers, keep);
    const target = pruneTarget(budget.sparsity, totalWeights(layers));
    const n = free.map(weightCount);
    // survivors_l = min(n_l, ε·density_l·n_l), Σ survivors = the free weights − target
    const survivors = scaleToTotal(free.map((l, i) => erkDensity(l) * n[i]!), n, totalWeights(free) - target);
    const targets = survivors?.map((s, i) => n[i]! - s);
    return { allocation: pruneAllocation(layers, free, exactCounts('erk', targets, n, target)), bound: null };
  },
});

/** The unscaled ERK density (Σ dims)/(Π dims): all four dims of a conv kernel, the two of a Gemm/MatMul. */
export function erkDensity(layer: BudgetLayer): number {
  const n = weightCount(layer);
  return n === 0 ? 0 : layer.shape.reduce((a, b) => a + b, 0) / n;
}
