/** uniform+ (Lee et al. 2021): the first layer dense, the last keeps at least 20%, the rest one ratio; global sparsity exact. */
import { OptionError } from '../../errors.js';
import { exactCounts, pruneAllocation } from '../allocations.js';
import { pruneTarget } from '../counts.js';
import { BUDGET_DEFAULTS } from '../defaults.js';
import { freeLayers, totalWeights, weightCount } from '../layers.js';
import { defineBudgetMethod } from '../method.js';
import { scaleToTotal } from '../scale-to-total.js';
import type { BudgetLayer } from '../types.js';

export default defineBudgetMethod({
  id: 'uniform-plus',
  title: 'uniform+: first layer dense, last layer ≥ 20% kept, the rest uniform',
  cite: 'Lee et al. 2021 (Layer-adaptive sparsity for the magnitude-based pruning), after Gale et al. 2019',
  kinds: ['prune'],
  needs: { data: false, costs: false, weights: false, trace: false },
  allocate: ({ layers, budget, keep }) => {
    const free = freeLayers(layers, keep);
    const target = pruneTarget(budget.sparsity, totalWeights(layers));
    const caps = free.map((l) => uniformPlusCap(layers, l));
    const targets = scaleToTotal(free.map((l, i) => (caps[i] === 0 ? 0 : weightCount(l))), caps, target);
    if (targets === undefined) {
      const most = caps.reduce((a, b) => a + b, 0) / totalWeights(layers);
      throw new OptionError(
        `uniform-plus keeps the first layer dense and at least ${BUDGET_DEFAULTS.uniformPlusLastSurvivors} of the last: at most ${most.toFixed(4)} of the weights can be pruned, below --sparsity ${budget.sparsity}`,
      );
    }
    return { allocation: pruneAllocation(layers, free, exactCounts('uniform-plus', targets, caps, target)), bound: null };
  },
});

/** The most a layer may prune: 0 for the first layer, floor(0.8·n) for the last, n otherwise. */
export function uniformPlusCap(layers: readonly BudgetLayer[], layer: BudgetLayer): number {
  const first = Math.min(...layers.map((l) => l.index));
  const last = Math.max(...layers.map((l) => l.index));
  const n = weightCount(layer);
  if (layer.index === first) return 0;
  if (layer.index === last) return Math.floor((1 - BUDGET_DEFAULTS.uniformPlusLastSurvivors) * n + 1e-9);
  return n;
}
