/** Uniform: the same bit-width (the largest that fits, floor(average bits) when nothing is kept) or the same pruning ratio everywhere. */
import { OptionError } from '../../errors.js';
import { exactCounts, pruneAllocation, quantAllocation } from '../allocations.js';
import { FLOAT_BITS } from '../checks.js';
import { pruneTarget } from '../counts.js';
import { freeLayers, totalWeights, weightCount } from '../layers.js';
import { defineBudgetMethod } from '../method.js';
import type { AllocationOf, BudgetLayer, QuantBudget } from '../types.js';

export default defineBudgetMethod({
  id: 'uniform',
  title: 'Uniform bit-width or pruning ratio',
  cite: 'Lee et al. 2021 (baseline)',
  kinds: ['quant', 'prune'],
  needs: { data: false, costs: false, weights: false, trace: false },
  allocate: ({ layers, budget, keep }) => {
    const free = freeLayers(layers, keep);
    if (budget.kind === 'quant') return { allocation: uniformBits(layers, free, budget), bound: null };
    const target = pruneTarget(budget.sparsity, totalWeights(layers));
    const share = target / totalWeights(free);
    const counts = exactCounts('uniform', free.map((l) => share * weightCount(l)), free.map(weightCount), target);
    return { allocation: pruneAllocation(layers, free, counts), bound: null };
  },
});

/** The largest b ≤ max(bits) with every free layer at b within the budget (b = floor(avgBits) without kept layers or BOPs). */
function uniformBits(layers: readonly BudgetLayer[], free: readonly BudgetLayer[], budget: QuantBudget): AllocationOf<'quant'> {
  const total = totalWeights(layers);
  const kept = layers.filter((l) => !free.includes(l));
  const keptBits = FLOAT_BITS * totalWeights(kept);
  const keptBops = FLOAT_BITS * kept.reduce((acc, l) => acc + (l.flops ?? 0), 0);
  const freeBops = free.reduce((acc, l) => acc + (l.flops ?? 0), 0);
  for (let b = Math.max(...budget.bits); b >= 2; b--) {
    const fits = b * totalWeights(free) + keptBits <= budget.avgBits * total && (budget.bops === undefined || b * freeBops + keptBops <= budget.bops);
    if (fits) return quantAllocation(layers, free, free.map(() => b));
  }
  throw new OptionError(`uniform: no bit-width fits --avg-bits ${budget.avgBits}`);
}
