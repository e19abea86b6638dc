/** Budgets that cannot be met and inputs that are wrong: one-line errors that say what the limit is. */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { BUDGET_METHODS, BudgetInputError, runBudgetMethod, type BudgetRequest } from '../../src/budget/index.js';
import { formatAbove, formatBelow } from '../../src/budget/validate.js';
import { layer } from './helpers.js';

const layers = [layer('conv1.weight', 0, [10, 10]), layer('fc.weight', 1, [5, 20], null)];
const quantCosts = new Map(layers.map((l) => [l.name, [2, 3, 4, 8].map((b) => ({ level: b, cost: 1 / b }))]));

function errorOf(method: keyof typeof BUDGET_METHODS, req: BudgetRequest): Error {
  try {
    runBudgetMethod(BUDGET_METHODS[method], req);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).not.toContain('\n');
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('budget errors', () => {
  it('names the smallest option when the average-bits budget is below it', () => {
    const e = errorOf('uniform', { layers, budget: { kind: 'quant', avgBits: 1.5, bits: [2, 3, 4, 5, 6, 8] } });
    expect(e).toBeInstanceOf(OptionError);
    expect(e.message).toBe('--avg-bits 1.5 is below the smallest option, 2 bits everywhere = 2.00 average');
  });

  it('counts the kept layers at 32 bits in that message', () => {
    const e = errorOf('mckp', { layers, costs: quantCosts, keep: ['conv1.weight'], budget: { kind: 'quant', avgBits: 16, bits: [2, 4] } });
    expect(e.message).toBe('--avg-bits 16 is below the smallest option, 2 bits everywhere with the 1 kept layer at 32 bits = 17.00 average');
  });

  it('shows enough digits to make the gap visible', () => {
    expect(formatAbove(2, 1.5)).toBe('2.00');
    expect(formatAbove(2.004, 2)).toBe('2.004');
    expect(formatBelow(0.7999, 0.8)).toBe('0.7999');
  });

  it('refuses a BOPs budget without FLOPs, and one below the smallest option', () => {
    expect(errorOf('mckp', { layers, costs: quantCosts, budget: { kind: 'quant', avgBits: 4, bits: [2, 4], bops: 1e6 } }).message).toBe(
      '--bops needs the FLOPs of every layer; layer "fc.weight" has unknown FLOPs',
    );
    const withFlops = [layer('a', 0, [10, 10], 100), layer('b', 1, [10, 10], 300)];
    expect(errorOf('uniform', { layers: withFlops, budget: { kind: 'quant', avgBits: 4, bits: [2, 4], bops: 500 } }).message).toBe(
      '--bops 500 is below the smallest option, 2 bits everywhere = 800.00 BOPs',
    );
  });

  it('refuses a sparsity the kept layers make impossible', () => {
    const e = errorOf('uniform', { layers, keep: ['conv1.weight'], budget: { kind: 'prune', sparsity: 0.6 } });
    expect(e.message).toBe('--sparsity 0.6 is impossible with the kept layers dense: at most 0.50 of the weights can be pruned');
  });

  it('refuses a sparsity beyond the cost curves', () => {
    const costs = new Map(layers.map((l) => [l.name, [0.5, 0.7].map((r) => ({ level: r, cost: r }))]));
    expect(errorOf('mckp', { layers, costs, budget: { kind: 'prune', sparsity: 0.8 } }).message).toBe(
      '--sparsity 0.8 is beyond the cost curves: at their largest ratios (kept layers dense) at most 0.70 of the weights are pruned',
    );
  });

  it('refuses an overhead below what the kept layers take', () => {
    const e = errorOf('largest-first', { layers, keep: ['fc.weight'], budget: { kind: 'protect', overhead: 0.3, ber: 1e-5 } });
    expect(e.message).toBe('--overhead 0.3 is below what the kept layers take: protecting them is 0.50 of the weights');
  });

  it('names an unknown kept layer and lists the valid ones', () => {
    const e = errorOf('uniform', { layers, keep: ['conv2.weight'], budget: { kind: 'prune', sparsity: 0.5 } });
    expect(e).toBeInstanceOf(OptionError);
    expect(e.message).toBe('--keep: no layer named "conv2.weight"; layers: conv1.weight, fc.weight');
  });

  it('rejects out-of-range budgets and bit lists', () => {
    expect(errorOf('uniform', { layers, budget: { kind: 'prune', sparsity: 1.2 } }).message).toBe('--sparsity must be in [0, 1], got 1.2');
    expect(errorOf('uniform', { layers, budget: { kind: 'quant', avgBits: 4, bits: [1, 4] } }).message).toBe('--bits must be distinct integers in 2..16, got 1,4');
    expect(errorOf('none', { layers, budget: { kind: 'protect', overhead: 0.1, ber: 0 } }).message).toBe('--ber must be in (0, 1], got 0');
  });

  it('says what a method needs and which kinds it does', () => {
    expect(errorOf('mckp', { layers, budget: { kind: 'prune', sparsity: 0.5 } }).message).toBe(
      'budget method "mckp" needs per-layer cost curves (--from, --criterion or --measure)',
    );
    expect(errorOf('lamp', { layers, budget: { kind: 'quant', avgBits: 4, bits: [4] } }).message).toBe(
      'budget method "lamp" does not allocate quant budgets; it does prune',
    );
  });

  it('names the layer and level a cost curve lacks', () => {
    const partial = new Map([['conv1.weight', [{ level: 2, cost: 1 }, { level: 4, cost: 0 }]]]);
    const missingLevel = errorOf('mckp', { layers, costs: new Map([...partial, ['fc.weight', [{ level: 2, cost: 1 }]]]), budget: { kind: 'quant', avgBits: 3, bits: [2, 3] } });
    expect(missingLevel).toBeInstanceOf(BudgetInputError);
    expect(missingLevel.message).toMatch(/^cost curve of layer "conv1.weight" has no point at 3 bits \(it has 2, 4\)$/);
    expect(errorOf('mckp', { layers, costs: partial, budget: { kind: 'quant', avgBits: 3, bits: [2, 4] } }).message).toBe(
      'the cost curves have no entry for layer "fc.weight"',
    );
  });

  it('handles a single layer and equal scores without error', () => {
    const one = [layer('only', 0, [3, 3])];
    expect(runBudgetMethod(BUDGET_METHODS.uniform, { layers: one, budget: { kind: 'prune', sparsity: 0.5 } }).achieved).toMatchObject({ pruned: 4 });
    const flat = new Map(layers.map((l) => [l.name, [2, 3, 4, 8].map((b) => ({ level: b, cost: 0 }))]));
    const result = runBudgetMethod(BUDGET_METHODS.mckp, { layers, costs: flat, budget: { kind: 'quant', avgBits: 5, bits: [2, 3, 4, 8] } });
    // Equal costs: the larger bit-width wins where it fits.
    expect(result.predicted).toBe(0);
    expect(result.achieved).toMatchObject({ avgBits: 5 });
  });
});
