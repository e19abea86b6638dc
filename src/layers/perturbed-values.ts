/** A layer's weights under a perturbation, as the initializers of the model they replace. */
import type { Model } from '../onnx/ir.js';
import { applyPerturbation, sameBits, type Perturbation, type Rng } from '../perturb/index.js';
import type { Layer } from './layer.js';

export interface PerturbedValues {
  /** The changed initializers by name: the layer's weight, and its bias when the perturbation changes it (prunec). */
  values: Map<string, Float32Array>;
  /** Every bit as it was (a low bit-flip rate that drew no flip, say): the model's outputs cannot change. */
  unchanged: boolean;
}

export function perturbedValues(model: Model, layer: Layer, perturbation: Perturbation, rng: Rng): PerturbedValues {
  const weights = model.graph.initializers;
  const weight = weights.get(layer.name)?.data as Float32Array;
  const bias = layer.bias ? (weights.get(layer.bias)?.data as Float32Array) : undefined;
  const perturbed = applyPerturbation({ weight, shape: layer.shape, channelAxis: layer.channelAxis, bias }, perturbation, rng);
  const values = new Map<string, Float32Array>([[layer.name, perturbed.weight]]);
  if (perturbed.bias && layer.bias) values.set(layer.bias, perturbed.bias);
  const unchanged = sameBits(perturbed.weight, weight) && (!perturbed.bias || sameBits(perturbed.bias, bias));
  return { values, unchanged };
}
