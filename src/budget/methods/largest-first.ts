/** Largest first: protect layers by decreasing n_l, each one that still fits the overhead (first-fit decreasing). */
import { protectAllocation } from '../allocations.js';
import { freeLayers, totalWeights, weightCount } from '../layers.js';
import { defineBudgetMethod } from '../method.js';

export default defineBudgetMethod({
  id: 'largest-first',
  title: 'Protect the largest layers first while the overhead allows',
  cite: 'safer baseline',
  kinds: ['protect'],
  needs: { data: false, costs: false, weights: false, trace: false },
  allocate: ({ layers, budget, keep }) => {
    const free = freeLayers(layers, keep);
    const capacity = budget.overhead * totalWeights(layers);
    let used = totalWeights(layers) - totalWeights(free);
    const chosen = new Set<string>();
    for (const layer of [...free].sort((a, b) => weightCount(b) - weightCount(a) || a.index - b.index)) {
      if (used + weightCount(layer) <= capacity) {
        chosen.add(layer.name);
        used += weightCount(layer);
      }
    }
    return { allocation: protectAllocation(layers, free, chosen), bound: null };
  },
});
