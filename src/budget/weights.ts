/** The weight tensor of a layer from a WeightSource, checked against its shape. */
import { BudgetInputError } from './errors.js';
import { weightCount } from './layers.js';
import type { BudgetLayer, WeightSource } from './types.js';

/** weights(layer), or a BudgetInputError when its length is not Π shape. */
export function layerWeights(weights: WeightSource, layer: BudgetLayer): Float32Array {
  const w = weights(layer);
  if (w.length !== weightCount(layer)) {
    throw new BudgetInputError(`layer "${layer.name}": ${w.length} weights for shape [${layer.shape.join(', ')}]`);
  }
  return w;
}
