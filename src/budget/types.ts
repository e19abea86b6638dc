/** The values that flow through the budget module: layers, budgets, cost curves and allocations. */
import type { Layer } from '../layers/layer.js';
import type { PerturbationKind } from '../perturb/index.js';

export type BudgetKind = 'quant' | 'prune' | 'protect';

/** Every budget kind, in the order of the commands. */
export const BUDGET_KINDS: readonly BudgetKind[] = ['quant', 'prune', 'protect'];

/**
 * The perturbation each kind's plans apply to a layer: per-channel quantization, unstructured pruning, and
 * float32 bit flips on what is left unprotected. A criterion recommended for that kind of perturbation is
 * the one a budget of the kind is decided with, and its budget regret counts in that benchmark column.
 */
export const BUDGET_PERTURBATION: { readonly [K in BudgetKind]: PerturbationKind } = { quant: 'quantc', prune: 'prune', protect: 'bitflip' };

/** What the budget module reads of a layer; a `Layer` from layers/ is one. n_l = Π shape (weight elements, no bias). */
export type BudgetLayer = Pick<Layer, 'name' | 'index' | 'shape' | 'channelAxis' | 'flops'>;

/** Σ b_l·n_l / Σ n_l ≤ avgBits (float32 layers count 32), and optionally Σ FLOPs_l·b_l ≤ bops; b_l ∈ bits. */
export interface QuantBudget {
  readonly kind: 'quant';
  readonly avgBits: number;
  /** The bit-widths a layer may take (`quantc:b`), integers in 2..16. */
  readonly bits: readonly number[];
  readonly bops?: number | undefined;
}

/** Σ_l floor(r_l·n_l) = floor(sparsity·N). */
export interface PruneBudget {
  readonly kind: 'prune';
  readonly sparsity: number;
}

/** Σ_{protected} n_l ≤ overhead·N; every unprotected layer suffers `bitflip:ber`. */
export interface ProtectBudget {
  readonly kind: 'protect';
  readonly overhead: number;
  readonly ber: number;
}

export type Budget = QuantBudget | PruneBudget | ProtectBudget;

interface BudgetByKind {
  quant: QuantBudget;
  prune: PruneBudget;
  protect: ProtectBudget;
}

/** The budget of kind K (an indexed access, so that it is covariant in K). */
export type BudgetOf<K extends BudgetKind> = BudgetByKind[K];

/** Bits per layer (every layer); null = left in float32. */
export interface QuantAllocation {
  readonly kind: 'quant';
  readonly bits: ReadonlyMap<string, number | null>;
}

/** Pruned weights per layer (every layer): k_l = floor(r_l·n_l) of `prune:r_l`. */
export interface PruneAllocation {
  readonly kind: 'prune';
  readonly counts: ReadonlyMap<string, number>;
}

/** Whether each layer's weights are protected (every layer). */
export interface ProtectAllocation {
  readonly kind: 'protect';
  readonly protected: ReadonlyMap<string, boolean>;
}

/** A decision for every layer of the model (kept layers included). */
export type Allocation = QuantAllocation | PruneAllocation | ProtectAllocation;

interface AllocationByKind {
  quant: QuantAllocation;
  prune: PruneAllocation;
  protect: ProtectAllocation;
}

export type AllocationOf<K extends BudgetKind> = AllocationByKind[K];

/** The predicted cost (e.g. accuracy drop, loss increase) of perturbing one layer alone at one level. */
export interface CostPoint {
  /** bits for quant, ratio for prune, bit error rate for protect. */
  readonly level: number;
  readonly cost: number;
}

/** One layer's cost curve: points at distinct levels, any order. Lower cost = better. */
export type CostCurve = readonly CostPoint[];

/** Cost curves by layer name. */
export type CostCurves = ReadonlyMap<string, CostCurve>;

/** The weight tensor of a layer, in its stored layout (data-free methods read it). */
export type WeightSource = (layer: BudgetLayer) => Float32Array;
