/** The budget grid of `safer budget curve` and the plans along it. */
import { describe, expect, it } from 'vitest';
import { BUDGET_METHODS, budgetGrid, curvePlans } from '../../src/budget/index.js';
import { layer } from './helpers.js';

describe('budgetGrid', () => {
  it('spans average bits 2–8, sparsity 0.3–0.95 and overhead 0–0.5 in clean steps', () => {
    expect(budgetGrid('quant')).toEqual([2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8]);
    expect(budgetGrid('prune')).toEqual([0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
    expect(budgetGrid('protect')).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]);
    expect(budgetGrid('prune', { from: 0.5, to: 0.6, step: 0.1 })).toEqual([0.5, 0.6]);
  });
});

describe('curvePlans', () => {
  it('plans every method at every budget, and records the budgets a method cannot meet', () => {
    const layers = [layer('first', 0, [10, 10]), layer('last', 1, [2, 10])];
    const plans = curvePlans({ layers, budget: { kind: 'prune', sparsity: 0 } }, [BUDGET_METHODS.uniform, BUDGET_METHODS['uniform-plus']], [0.1, 0.9]);
    expect(plans.map((p) => [p.budget, p.method, 'error' in p ? 'error' : p.achieved])).toEqual([
      [0.1, 'uniform', 0.1],
      [0.1, 'uniform-plus', 0.1],
      [0.9, 'uniform', 0.9],
      [0.9, 'uniform-plus', 'error'],
    ]);
  });
});
