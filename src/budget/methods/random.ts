/** Random (seeded): a random allocation that meets the budget — bits, pruning ratios or protected layers. */
import { createRng, type Rng } from '../../perturb/index.js';
import { exactCounts, protectAllocation, pruneAllocation, quantAllocation } from '../allocations.js';
import { FLOAT_BITS } from '../checks.js';
import { pruneTarget } from '../counts.js';
import { freeLayers, totalWeights, weightCount } from '../layers.js';
import { defineBudgetMethod, type MethodContext } from '../method.js';
import { shuffled } from '../random-order.js';
import { scaleToTotal } from '../scale-to-total.js';
import type { AllocationOf } from '../types.js';

export default defineBudgetMethod({
  id: 'random',
  title: 'Random allocation that meets the budget (seeded)',
  cite: 'safer baseline',
  kinds: ['quant', 'prune', 'protect'],
  needs: { data: false, costs: false, weights: false, trace: false },
  allocate: (input) => {
    const rng = createRng(input.seed);
    const { budget } = input;
    switch (budget.kind) {
      case 'quant':
        return { allocation: randomBits({ ...input, budget }, rng), bound: null };
      case 'prune':
        return { allocation: randomCounts({ ...input, budget }, rng), bound: null };
      case 'protect':
        return { allocation: randomProtection({ ...input, budget }, rng), bound: null };
    }
  },
});

/** Layers in random order, each a uniform choice among the bit-widths that leave the rest a feasible plan at the smallest. */
function randomBits({ layers, budget, keep }: MethodContext<'quant'>, rng: Rng): AllocationOf<'quant'> {
  const free = freeLayers(layers, keep);
  const kept = layers.filter((l) => keep.has(l.name));
  const low = Math.min(...budget.bits);
  const flops = (l: (typeof layers)[number]) => l.flops ?? 0;
  const capBits = budget.avgBits * totalWeights(layers);
  let usedBits = FLOAT_BITS * totalWeights(kept) + low * totalWeights(free);
  let usedBops = kept.reduce((acc, l) => acc + FLOAT_BITS * flops(l), 0) + free.reduce((acc, l) => acc + low * flops(l), 0);
  const bits = new Map<string, number>();
  for (const layer of shuffled(free, rng)) {
    const n = weightCount(layer);
    const fits = budget.bits.filter(
      (b) => usedBits + (b - low) * n <= capBits && (budget.bops === undefined || usedBops + (b - low) * flops(layer) <= budget.bops),
    );
    const b = fits[Math.floor(rng.nextFloat() * fits.length)] ?? low;
    usedBits += (b - low) * n;
    usedBops += (b - low) * flops(layer);
    bits.set(layer.name, b);
  }
  return quantAllocation(layers, free, free.map((l) => bits.get(l.name)!));
}

/** Ratios ∝ U(0, 1) per layer (drawn in layer order), capped at 1, re-scaled to prune exactly floor(s·N). */
function randomCounts({ layers, budget, keep }: MethodContext<'prune'>, rng: Rng): AllocationOf<'prune'> {
  const free = freeLayers(layers, keep);
  const target = pruneTarget(budget.sparsity, totalWeights(layers));
  const n = free.map(weightCount);
  const targets = scaleToTotal(free.map((_, i) => rng.nextFloat() * n[i]!), n, target) ?? scaleToTotal(n, n, target);
  return pruneAllocation(layers, free, exactCounts('random', targets, n, target));
}

/** Layers in random order, each protected if it still fits the overhead. */
function randomProtection({ layers, budget, keep }: MethodContext<'protect'>, rng: Rng): AllocationOf<'protect'> {
  const free = freeLayers(layers, keep);
  const capacity = budget.overhead * totalWeights(layers);
  let used = totalWeights(layers) - totalWeights(free);
  const chosen = new Set<string>();
  for (const layer of shuffled(free, rng)) {
    if (used + weightCount(layer) <= capacity) {
      chosen.add(layer.name);
      used += weightCount(layer);
    }
  }
  return protectAllocation(layers, free, chosen);
}
