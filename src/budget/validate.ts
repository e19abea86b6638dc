/** Budgets a plan cannot meet, and malformed budgets: one-line OptionErrors saying what the limit is. */
import { OptionError } from '../errors.js';
import { BudgetInputError } from './errors.js';
import { FLOAT_BITS } from './checks.js';
import { pruneTarget } from './counts.js';
import { totalWeights } from './layers.js';
import type { Budget, BudgetLayer, QuantBudget } from './types.js';

/** Throws unless the layers are usable and the budget can be met with the kept layers held. */
export function checkBudget(layers: readonly BudgetLayer[], budget: Budget, keep: ReadonlySet<string>): void {
  if (layers.length === 0) throw new OptionError('the model has no weight layers to allocate a budget to');
  const seen = new Set<string>();
  for (const layer of layers) {
    if (seen.has(layer.name)) throw new BudgetInputError(`layer "${layer.name}" appears twice in the layer list`);
    seen.add(layer.name);
  }
  const total = totalWeights(layers);
  if (!(total > 0)) throw new OptionError('the weight layers hold no weights to allocate a budget to');
  const kept = layers.filter((l) => keep.has(l.name));
  const keptWeights = totalWeights(kept);
  const keptNote = kept.length === 0 ? '' : ` with the ${kept.length} kept layer${kept.length > 1 ? 's' : ''} at ${FLOAT_BITS} bits`;
  switch (budget.kind) {
    case 'quant': {
      checkBits(budget);
      if (!(Number.isFinite(budget.avgBits) && budget.avgBits > 0)) throw new OptionError(`--avg-bits must be a positive number, got ${budget.avgBits}`);
      const low = Math.min(...budget.bits);
      const smallest = low * (total - keptWeights) + FLOAT_BITS * keptWeights;
      if (!(smallest <= budget.avgBits * total)) {
        throw new OptionError(
          `--avg-bits ${budget.avgBits} is below the smallest option, ${low} bits everywhere${keptNote} = ${formatAbove(smallest / total, budget.avgBits)} average`,
        );
      }
      if (budget.bops !== undefined) {
        if (!(Number.isFinite(budget.bops) && budget.bops > 0)) throw new OptionError(`--bops must be a positive number, got ${budget.bops}`);
        let least = 0;
        for (const layer of layers) {
          if (layer.flops === null) throw new OptionError(`--bops needs the FLOPs of every layer; layer "${layer.name}" has unknown FLOPs`);
          least += layer.flops * (keep.has(layer.name) ? FLOAT_BITS : low);
        }
        if (!(least <= budget.bops)) {
          throw new OptionError(`--bops ${budget.bops} is below the smallest option, ${low} bits everywhere${keptNote} = ${formatAbove(least, budget.bops)} BOPs`);
        }
      }
      return;
    }
    case 'prune': {
      if (!(budget.sparsity >= 0 && budget.sparsity <= 1)) throw new OptionError(`--sparsity must be in [0, 1], got ${budget.sparsity}`);
      if (pruneTarget(budget.sparsity, total) > total - keptWeights) {
        throw new OptionError(
          `--sparsity ${budget.sparsity} is impossible with the kept layers dense: at most ${formatBelow((total - keptWeights) / total, budget.sparsity)} of the weights can be pruned`,
        );
      }
      return;
    }
    case 'protect': {
      if (!(budget.overhead >= 0 && budget.overhead <= 1)) throw new OptionError(`--overhead must be in [0, 1], got ${budget.overhead}`);
      if (!(budget.ber > 0 && budget.ber <= 1)) throw new OptionError(`--ber must be in (0, 1], got ${budget.ber}`);
      if (!(keptWeights <= budget.overhead * total)) {
        throw new OptionError(
          `--overhead ${budget.overhead} is below what the kept layers take: protecting them is ${formatAbove(keptWeights / total, budget.overhead)} of the weights`,
        );
      }
      return;
    }
  }
}

function checkBits(budget: QuantBudget): void {
  const { bits } = budget;
  const ok = bits.length > 0 && bits.every((b) => Number.isInteger(b) && b >= 2 && b <= 16) && new Set(bits).size === bits.length;
  if (!ok) throw new OptionError(`--bits must be distinct integers in 2..16, got ${bits.join(',') || 'none'}`);
}

/** x with two decimals, or as many more as it takes to show that it is above `limit`. */
export function formatAbove(x: number, limit: number): string {
  for (let digits = 2; digits < 12; digits++) if (Number(x.toFixed(digits)) > limit) return x.toFixed(digits);
  return String(x);
}

/** x with two decimals, or as many more as it takes to show that it is below `limit`. */
export function formatBelow(x: number, limit: number): string {
  for (let digits = 2; digits < 12; digits++) if (Number(x.toFixed(digits)) < limit) return x.toFixed(digits);
  return String(x);
}
