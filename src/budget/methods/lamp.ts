/** LAMP (Lee et al. 2021): score(u) = w_u² / Σ_{v≥u} w_v² over a layer's weights sorted by |w| ascending; one global threshold. */
import { pruneAllocation } from '../allocations.js';
import { pruneTarget } from '../counts.js';
import { countsBelowGlobalThreshold, sortedMagnitudes } from '../global-threshold.js';
import { freeLayers, totalWeights } from '../layers.js';
import { defineBudgetMethod } from '../method.js';
import { layerWeights } from '../weights.js';

export default defineBudgetMethod({
  id: 'lamp',
  title: 'LAMP: w_u² / Σ_{v≥u} w_v² within a layer, one global threshold',
  cite: 'Lee et al. 2021 (Layer-adaptive sparsity for the magnitude-based pruning)',
  kinds: ['prune'],
  needs: { data: false, costs: false, weights: true, trace: false },
  allocate: ({ layers, budget, keep, weights }) => {
    const free = [...freeLayers(layers, keep)].sort((a, b) => a.index - b.index);
    const target = pruneTarget(budget.sparsity, totalWeights(layers));
    const counts = countsBelowGlobalThreshold(free.map((l) => lampScores(layerWeights(weights, l))), target);
    return { allocation: pruneAllocation(layers, free, counts), bound: null };
  },
});

/**
 * LAMP scores in the order of |w| ascending (ties in flat order, as `prune:r` sorts): w_u² / Σ_{v≥u} w_v²,
 * in float64 (0 when the tail is all zeros). The scores are non-decreasing, so the smallest k of them are the
 * k smallest weights, and a global threshold prunes a prefix of each layer's order.
 */
export function lampScores(weight: Float32Array): Float64Array {
  const squares = sortedMagnitudes(weight).map((m) => m * m);
  const scores = new Float64Array(squares.length);
  let tail = 0;
  for (let u = squares.length - 1; u >= 0; u--) {
    tail += squares[u]!;
    scores[u] = tail === 0 ? 0 : squares[u]! / tail;
  }
  return scores;
}
