/** Building complete allocations (every layer, kept ones at their kept state) from the free layers' decisions. */
import { OptionError } from '../errors.js';
import { distributeCounts } from './counts.js';
import type { AllocationOf, BudgetLayer } from './types.js';

/** Bits for the free layers; kept layers float32 (null). */
export function quantAllocation(layers: readonly BudgetLayer[], free: readonly BudgetLayer[], bits: readonly number[]): AllocationOf<'quant'> {
  const map = new Map<string, number | null>(layers.map((l) => [l.name, null]));
  free.forEach((layer, i) => map.set(layer.name, bits[i]!));
  return { kind: 'quant', bits: map };
}

/** Pruned counts for the free layers; kept layers dense (0). */
export function pruneAllocation(layers: readonly BudgetLayer[], free: readonly BudgetLayer[], counts: readonly number[]): AllocationOf<'prune'> {
  const map = new Map<string, number>(layers.map((l) => [l.name, 0]));
  free.forEach((layer, i) => map.set(layer.name, counts[i]!));
  return { kind: 'prune', counts: map };
}

/** Protection of the free layers; kept layers protected. */
export function protectAllocation(layers: readonly BudgetLayer[], free: readonly BudgetLayer[], chosen: ReadonlySet<string>): AllocationOf<'protect'> {
  return { kind: 'protect', protected: new Map(layers.map((l) => [l.name, !free.includes(l) || chosen.has(l.name)])) };
}

/** Integer counts from real targets (distributeCounts), or an OptionError naming the method when the caps cannot hold the total. */
export function exactCounts(method: string, targets: readonly number[] | undefined, caps: readonly number[], total: number): number[] {
  const counts = targets === undefined ? undefined : distributeCounts(targets, caps, total);
  if (counts === undefined) {
    const most = caps.reduce((a, b) => a + b, 0);
    throw new OptionError(`${method}: cannot prune ${total} weights; its rule allows at most ${most}`);
  }
  return counts;
}
