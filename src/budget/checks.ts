/**
 * What a plan achieves, and whether it respects its budget. Every method's result goes through these, and
 * so do the tests: the definitions are those of design.md, "Budgets: exact definitions".
 */
import { prunedCount, pruneTarget } from './counts.js';
import { totalWeights, weightCount } from './layers.js';
import type { Allocation, Budget, BudgetLayer } from './types.js';

/** Bits a float32 layer counts. */
export const FLOAT_BITS = 32;

export interface QuantAchieved {
  readonly kind: 'quant';
  /** Σ b_l·n_l / N. */
  readonly avgBits: number;
  /** Σ b_l·n_l (an exact integer). */
  readonly totalBits: number;
  /** Σ FLOPs_l·b_l, or null when a layer's FLOPs are unknown. */
  readonly bops: number | null;
}

export interface PruneAchieved {
  readonly kind: 'prune';
  /** Σ floor(r_l·n_l) / N. */
  readonly sparsity: number;
  readonly pruned: number;
  readonly total: number;
}

export interface ProtectAchieved {
  readonly kind: 'protect';
  /** Σ_{protected} n_l / N. */
  readonly overhead: number;
  readonly protectedWeights: number;
  readonly total: number;
}

export type Achieved = QuantAchieved | PruneAchieved | ProtectAchieved;

const bitsOf = (b: number | null | undefined): number => b ?? FLOAT_BITS;

/** Σ_l b_l·n_l with float32 (null) layers at 32 bits. */
export function totalBits(layers: readonly BudgetLayer[], bits: ReadonlyMap<string, number | null>): number {
  return layers.reduce((acc, layer) => acc + bitsOf(bits.get(layer.name)) * weightCount(layer), 0);
}

/** Average bit-width Σ_l b_l·n_l / Σ_l n_l (float32 layers count 32). */
export function averageBits(layers: readonly BudgetLayer[], bits: ReadonlyMap<string, number | null>): number {
  return totalBits(layers, bits) / totalWeights(layers);
}

/** BOPs Σ_l FLOPs_l·b_l (float32 layers count 32); null if a layer's FLOPs are unknown. */
export function bitOps(layers: readonly BudgetLayer[], bits: ReadonlyMap<string, number | null>): number | null {
  let sum = 0;
  for (const layer of layers) {
    if (layer.flops === null) return null;
    sum += layer.flops * bitsOf(bits.get(layer.name));
  }
  return sum;
}

/** Σ_l floor(r_l·n_l) from ratios, with the floor of `prune:r`. */
export function prunedWeights(layers: readonly BudgetLayer[], ratios: ReadonlyMap<string, number>): number {
  return layers.reduce((acc, layer) => acc + prunedCount(ratios.get(layer.name) ?? 0, weightCount(layer)), 0);
}

/** Global sparsity Σ_l k_l / Σ_l n_l of pruned counts k_l. */
export function globalSparsity(layers: readonly BudgetLayer[], counts: ReadonlyMap<string, number>): number {
  return layers.reduce((acc, layer) => acc + (counts.get(layer.name) ?? 0), 0) / totalWeights(layers);
}

/** Protection overhead Σ_{protected} n_l / Σ_l n_l. */
export function protectionOverhead(layers: readonly BudgetLayer[], protect: ReadonlyMap<string, boolean>): number {
  return protectedWeights(layers, protect) / totalWeights(layers);
}

function protectedWeights(layers: readonly BudgetLayer[], protect: ReadonlyMap<string, boolean>): number {
  return layers.reduce((acc, layer) => acc + (protect.get(layer.name) === true ? weightCount(layer) : 0), 0);
}

/** What an allocation achieves, in the units of its budget. */
export function achievedBy(layers: readonly BudgetLayer[], allocation: Allocation): Achieved {
  const total = totalWeights(layers);
  switch (allocation.kind) {
    case 'quant': {
      const sum = totalBits(layers, allocation.bits);
      return { kind: 'quant', avgBits: sum / total, totalBits: sum, bops: bitOps(layers, allocation.bits) };
    }
    case 'prune': {
      const pruned = layers.reduce((acc, layer) => acc + (allocation.counts.get(layer.name) ?? 0), 0);
      return { kind: 'prune', sparsity: pruned / total, pruned, total };
    }
    case 'protect': {
      const weights = protectedWeights(layers, allocation.protected);
      return { kind: 'protect', overhead: weights / total, protectedWeights: weights, total };
    }
  }
}

/** The budget's headline number: avg bits, sparsity or overhead. */
export function budgetValue(budget: Budget): number {
  switch (budget.kind) {
    case 'quant':
      return budget.avgBits;
    case 'prune':
      return budget.sparsity;
    case 'protect':
      return budget.overhead;
  }
}

/** The achieved headline number: avg bits, sparsity or overhead. */
export function achievedValue(achieved: Achieved): number {
  switch (achieved.kind) {
    case 'quant':
      return achieved.avgBits;
    case 'prune':
      return achieved.sparsity;
    case 'protect':
      return achieved.overhead;
  }
}

/**
 * Why an allocation breaks its budget, or undefined if it respects it exactly:
 * quant Σ b_l·n_l ≤ avgBits·N (and Σ FLOPs_l·b_l ≤ bops), bits integers in 2..16 or float32;
 * prune Σ k_l = floor(s·N) with integer 0 ≤ k_l ≤ n_l; protect Σ_{protected} n_l ≤ overhead·N.
 * Every layer must have exactly one entry.
 */
export function budgetViolation(layers: readonly BudgetLayer[], budget: Budget, allocation: Allocation): string | undefined {
  const entries = entriesOf(allocation);
  const names = new Set(layers.map((l) => l.name));
  const extra = [...entries.keys()].find((name) => !names.has(name));
  if (extra !== undefined) return `layer "${extra}" is not in the model`;
  const missing = layers.find((l) => !entries.has(l.name));
  if (missing !== undefined) return `layer "${missing.name}" has no entry`;
  const total = totalWeights(layers);
  if (budget.kind === 'quant' && allocation.kind === 'quant') {
    for (const [name, bits] of allocation.bits) {
      if (bits !== null && !(Number.isInteger(bits) && bits >= 2 && bits <= 16)) return `layer "${name}": ${bits} bits`;
    }
    const sum = totalBits(layers, allocation.bits);
    if (!(sum <= budget.avgBits * total)) return `average ${sum / total} bits > ${budget.avgBits}`;
    if (budget.bops === undefined) return undefined;
    const bops = bitOps(layers, allocation.bits);
    if (bops === null) return 'BOPs unknown (a layer has no FLOPs)';
    return bops <= budget.bops ? undefined : `${bops} BOPs > ${budget.bops}`;
  }
  if (budget.kind === 'prune' && allocation.kind === 'prune') {
    for (const layer of layers) {
      const k = allocation.counts.get(layer.name)!;
      if (!Number.isInteger(k) || k < 0 || k > weightCount(layer)) return `layer "${layer.name}": ${k} pruned of ${weightCount(layer)}`;
    }
    const pruned = layers.reduce((acc, layer) => acc + allocation.counts.get(layer.name)!, 0);
    const target = pruneTarget(budget.sparsity, total);
    return pruned === target ? undefined : `${pruned} weights pruned, floor(${budget.sparsity}·${total}) = ${target}`;
  }
  if (budget.kind === 'protect' && allocation.kind === 'protect') {
    const weights = protectedWeights(layers, allocation.protected);
    return weights <= budget.overhead * total ? undefined : `${weights} of ${total} weights protected > ${budget.overhead}`;
  }
  return `a ${allocation.kind} allocation for a ${budget.kind} budget`;
}

/** Why the kept layers are not at their kept state (float32, dense, protected), or undefined. */
export function keepViolation(keep: ReadonlySet<string>, allocation: Allocation): string | undefined {
  for (const name of keep) {
    const ok =
      allocation.kind === 'quant' ? allocation.bits.get(name) === null
      : allocation.kind === 'prune' ? allocation.counts.get(name) === 0
      : allocation.protected.get(name) === true;
    if (!ok) return `kept layer "${name}" was changed`;
  }
  return undefined;
}

function entriesOf(allocation: Allocation): ReadonlyMap<string, unknown> {
  switch (allocation.kind) {
    case 'quant':
      return allocation.bits;
    case 'prune':
      return allocation.counts;
    case 'protect':
      return allocation.protected;
  }
}
