import { describe, expect, it } from 'vitest';
import { recommend } from '../../src/benchmark/recommend.js';
import type { BenchCell, BenchCriterion } from '../../src/benchmark/types.js';

const cell = (criterion: string, seconds: number | null, rho: number | null, models = 3): BenchCell => ({
  criterion, perturbation: 'quant', targeted: false, models, layers: 10, levels: [], seconds,
  spearman: rho === null ? null : { mean: rho, low: rho - 0.1, high: rho + 0.1, n: models }, kendall: null, top_k: null, ndcg: null,
  cells: { qualified: models, total: models }, ceiling: null, spearman_loss: null, spearman_kl: null, regret: null,
});
const criterion = (name: string, family = 'first-order'): BenchCriterion => ({ name, family, perturbation: null, seconds: 0, passes: null, models: 3 });

describe('recommend', () => {
  const criteria = ['best', 'close-cheap', 'close-cheaper-but-partial', 'far-free', 'lucky', 'undefined'].map((n) => criterion(n))
    .concat([criterion('random', 'random')]);

  it('picks the cheapest criterion within the tolerance of the best mean ρ, scored on every model', () => {
    const r = recommend([
      cell('best', 3, 0.8), cell('close-cheap', 0.2, 0.76), cell('close-cheaper-but-partial', 0.1, 0.79, 2),
      cell('far-free', 0.001, 0.7), cell('random', 0.0001, 0.9), cell('undefined', 0.0001, null),
    ], criteria, 0.01);
    expect(r?.criterion).toBe('close-cheap');
    expect(r?.best.criterion).toBe('best');
    expect(r?.candidates).toBe(3);
    expect(r?.spearman.mean).toBe(0.76);
  });

  it('recommends the best itself when nothing cheaper is close, and takes the higher ρ among costs under the floor', () => {
    expect(recommend([cell('best', 3, 0.8), cell('far-free', 0.001, 0.5)], criteria, 0.01)?.criterion).toBe('best');
    const r = recommend([cell('far-free', 0.0001, 0.78), cell('lucky', 0.009, 0.8), cell('best', 1, 0.81)], criteria, 0.01);
    expect(r?.criterion).toBe('lucky');
    expect(recommend([cell('far-free', 0.0001, 0.78), cell('lucky', 0.009, 0.8)], criteria, 0)?.criterion).toBe('far-free');
  });

  it('counts costs within 1.25× of the cheapest eligible one as equal (timing noise), and takes the higher ρ', () => {
    expect(recommend([cell('close-cheap', 3.93, 0.39), cell('best', 3.95, 0.42)], criteria, 0.01)?.criterion).toBe('best');
    expect(recommend([cell('close-cheap', 3.0, 0.39), cell('best', 3.95, 0.42)], criteria, 0.01)?.criterion).toBe('close-cheap');
  });

  it('gives nothing when no criterion has a defined ρ and cost', () => {
    expect(recommend([cell('undefined', null, 0.5), cell('best', 1, null)], criteria, 0.01)).toBeNull();
    expect(recommend([], criteria, 0.01)).toBeNull();
  });
});
