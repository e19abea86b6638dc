/** The exact solver on the supplied per-layer cost curves: multiple-choice knapsack by DP, with its bound. */
import { countCurve, requireCostAt } from '../curves.js';
import { defineBudgetMethod } from '../method.js';
import { solvePruneBudget } from '../solve-prune.js';
import { solveProtectBudget } from '../solve-protect.js';
import { solveQuantBudget } from '../solve-quant.js';

export default defineBudgetMethod({
  id: 'mckp',
  title: 'Exact multiple-choice knapsack on the per-layer cost curves',
  cite: 'safer (DP as in SPDY, Frantar & Alistarh 2022)',
  kinds: ['quant', 'prune', 'protect'],
  needs: { data: false, costs: true, weights: false, trace: false },
  allocate: ({ layers, budget, keep, limits, costs }) => {
    switch (budget.kind) {
      case 'quant':
        return solveQuantBudget(layers, budget, keep, (layer, bits) => requireCostAt(costs, layer, bits, ' bits'), limits);
      case 'prune':
        return solvePruneBudget(layers, budget, keep, (layer) => countCurve(costs, layer), limits);
      case 'protect':
        return solveProtectBudget(layers, budget, keep, (layer) => requireCostAt(costs, layer, budget.ber, ' bit error rate'), limits);
    }
  },
});
