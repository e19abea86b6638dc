/** Predicted costs of an allocation: the sum of the per-layer costs read off the cost curves. */
import { costAt, costAtCount, countCurve } from './curves.js';
import type { Allocation, Budget, BudgetLayer, CostCurves } from './types.js';

/**
 * Each layer's predicted single-layer cost c_l(x_l) in the allocation (0 for float32, dense or protected
 * layers), or null if some layer's level is not on its curve (no curve, a bit-width it lacks, a count past
 * its end).
 */
export function layerCosts(layers: readonly BudgetLayer[], allocation: Allocation, budget: Budget, curves: CostCurves): Map<string, number> | null {
  const costs = new Map<string, number>();
  for (const layer of layers) {
    const cost = layerCost(layer, allocation, budget, curves);
    if (cost === undefined) return null;
    costs.set(layer.name, cost);
  }
  return costs;
}

/** Σ_l c_l(x_l): the additive prediction of the allocation's cost; null as in layerCosts. */
export function predictedCost(layers: readonly BudgetLayer[], allocation: Allocation, budget: Budget, curves: CostCurves): number | null {
  const costs = layerCosts(layers, allocation, budget, curves);
  return costs === null ? null : [...costs.values()].reduce((a, b) => a + b, 0);
}

function layerCost(layer: BudgetLayer, allocation: Allocation, budget: Budget, curves: CostCurves): number | undefined {
  const curve = curves.get(layer.name);
  switch (allocation.kind) {
    case 'quant': {
      const bits = allocation.bits.get(layer.name) ?? null;
      return bits === null ? 0 : curve && costAt(curve, bits);
    }
    case 'prune': {
      const k = allocation.counts.get(layer.name) ?? 0;
      return k === 0 ? 0 : curve && costAtCount(countCurve(curves, layer), k);
    }
    case 'protect': {
      if (allocation.protected.get(layer.name) !== false) return 0;
      return budget.kind === 'protect' && curve ? costAt(curve, budget.ber) : undefined;
    }
  }
}
