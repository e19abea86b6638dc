/** Global magnitude: one |w| threshold across all layers; exactly floor(s·N) pruned, ties by (layer index, flat index). */
import { pruneAllocation } from '../allocations.js';
import { pruneTarget } from '../counts.js';
import { countsBelowGlobalThreshold, sortedMagnitudes } from '../global-threshold.js';
import { freeLayers, totalWeights } from '../layers.js';
import { defineBudgetMethod } from '../method.js';
import { layerWeights } from '../weights.js';

export default defineBudgetMethod({
  id: 'global-magnitude',
  title: 'Global magnitude: one |w| threshold across all layers',
  cite: 'Lee et al. 2021 (baseline)',
  kinds: ['prune'],
  needs: { data: false, costs: false, weights: true, trace: false },
  allocate: ({ layers, budget, keep, weights }) => {
    const free = [...freeLayers(layers, keep)].sort((a, b) => a.index - b.index);
    const target = pruneTarget(budget.sparsity, totalWeights(layers));
    const counts = countsBelowGlobalThreshold(free.map((l) => sortedMagnitudes(layerWeights(weights, l))), target);
    return { allocation: pruneAllocation(layers, free, counts), bound: null };
  },
});
