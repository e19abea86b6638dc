/**
 * A plan's effect on the model's weights: the quantized or pruned weights of a quant or prune plan,
 * and the faulty weights of one protect trial (bit flips on every unprotected layer at once).
 */
import type { Layer } from '../../layers/layer.js';
import type { PreparedModel } from '../../model/prepare.js';
import { withInitializerValues } from '../../onnx/edit.js';
import { saveModel } from '../../onnx/model.js';
import { applyPerturbation, createRng, formatPerturbation, seedFromKey, type Perturbation } from '../../perturb/index.js';
import { ratioForCount } from '../counts.js';
import { weightCount } from '../layers.js';
import type { Allocation } from '../types.js';

/** The perturbation a plan applies to one layer, or undefined where it leaves the layer as it is. */
export function layerPerturbation(allocation: Allocation, layer: Layer): Perturbation | undefined {
  switch (allocation.kind) {
    case 'quant': {
      const bits = allocation.bits.get(layer.name);
      return bits === null || bits === undefined ? undefined : { kind: 'quantc', bits };
    }
    case 'prune': {
      const count = allocation.counts.get(layer.name) ?? 0;
      return count === 0 ? undefined : { kind: 'prune', ratio: ratioForCount(count, weightCount(layer)) };
    }
    case 'protect':
      return undefined;
  }
}

/** The stored weight of a layer. */
export function storedWeight(prepared: PreparedModel, layer: Pick<Layer, 'name'>): Float32Array {
  return prepared.model.graph.initializers.get(layer.name)?.data as Float32Array;
}

/** One layer's weight under a perturbation (deterministic ones need no seed). */
export function perturbedWeight(prepared: PreparedModel, layer: Layer, perturbation: Perturbation, seed = 0): Float32Array {
  return applyPerturbation({ weight: storedWeight(prepared, layer), shape: layer.shape, channelAxis: layer.channelAxis }, perturbation, createRng(seed)).weight;
}

/** The new weights of a quant or prune plan, by layer name (layers it leaves alone are absent). */
export function planWeights(prepared: PreparedModel, allocation: Allocation): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const layer of prepared.layers) {
    const perturbation = layerPerturbation(allocation, layer);
    if (perturbation) values.set(layer.name, perturbedWeight(prepared, layer, perturbation));
  }
  return values;
}

/**
 * The weights of one fault trial of a protect plan: `bitflip:ber` on every unprotected layer at
 * once, each layer drawing from its own stream, seeded by ("protect", layer, perturbation, trial).
 */
export function faultWeights(prepared: PreparedModel, allocation: Allocation, ber: number, trial: number): Map<string, Float32Array> {
  const perturbation: Perturbation = { kind: 'bitflip', rate: ber };
  const text = formatPerturbation(perturbation);
  const values = new Map<string, Float32Array>();
  for (const layer of prepared.layers) {
    const isProtected = allocation.kind === 'protect' && allocation.protected.get(layer.name) === true;
    if (!isProtected) values.set(layer.name, perturbedWeight(prepared, layer, perturbation, seedFromKey('protect', layer.name, text, trial)));
  }
  return values;
}

/** The model as stored with these weights, written atomically (an ONNX file `safer eval` reads like any other). */
export function writePlanModel(prepared: PreparedModel, values: ReadonlyMap<string, Float32Array>, path: string): void {
  saveModel(withInitializerValues(prepared.stored, values), path);
}
