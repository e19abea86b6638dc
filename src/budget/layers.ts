/** Layer sizes and the `keep` set. */
import { OptionError } from '../errors.js';
import type { BudgetKind, BudgetLayer } from './types.js';

/** n_l: the layer's weight elements, Π shape (biases are not counted). */
export function weightCount(layer: BudgetLayer): number {
  return layer.shape.reduce((acc, d) => acc * d, 1);
}

/** N = Σ_l n_l. */
export function totalWeights(layers: readonly BudgetLayer[]): number {
  return layers.reduce((acc, layer) => acc + weightCount(layer), 0);
}

/** What a kept layer is held at, per kind (docs/budgets.md, "Kept layers"). */
export const KEPT_STATE: { readonly [K in BudgetKind]: string } = {
  quant: 'float32 (counts 32 bits)',
  prune: 'dense (prunes nothing; the others prune more)',
  protect: 'protected (its weights count towards the overhead)',
};

/** The keep set, checked against the layer names: an unknown name is an OptionError listing the valid ones. */
export function resolveKeep(layers: readonly BudgetLayer[], keep: Iterable<string> = []): ReadonlySet<string> {
  const names = new Set(layers.map((layer) => layer.name));
  const resolved = new Set<string>();
  for (const name of keep) {
    if (!names.has(name)) {
      throw new OptionError(`--keep: no layer named "${name}"; layers: ${[...names].join(', ')}`);
    }
    resolved.add(name);
  }
  return resolved;
}

/** The layers the method decides (not kept), in layer order. */
export function freeLayers(layers: readonly BudgetLayer[], keep: ReadonlySet<string>): BudgetLayer[] {
  return layers.filter((layer) => !keep.has(layer.name));
}
