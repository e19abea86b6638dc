/**
 * Gives every layer a bias initializer of its own.
 *
 * Exporters merge identical initializers (PyTorch does, sometimes behind Identity nodes): the
 * all-zero biases that BatchNorm folding leaves in an untrained network, say, become one tensor
 * read by several layers. A perturbation of one layer's bias (prunec zeroes its pruned channels'
 * entries) must not reach the others, and a graph cut from one layer must not start at the first
 * reader of a shared bias. The copies compute exactly what the shared tensor did.
 */
import type { Initializer, Model, Node } from '../onnx/ir.js';
import { biasSlots } from './discover.js';

export function withOwnBiases(model: Model, source = 'model'): Model {
  const slots = biasSlots(model, source);
  const readers = new Map<string, number>();
  for (const slot of slots) readers.set(slot.bias, (readers.get(slot.bias) ?? 0) + 1);
  if (![...readers.values()].some((n) => n > 1)) return model;

  const taken = new Set<string>([...model.graph.initializers.keys(), ...model.graph.inputs.map((v) => v.name), ...model.graph.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  const initializers = new Map(model.graph.initializers);
  const rewired = new Map<Node, Map<number, string>>();
  const copies = new Map<string, string[]>();
  const firstReader = new Set<string>();
  for (const slot of slots) {
    if ((readers.get(slot.bias) ?? 0) < 2) continue;
    // The first layer that reads a shared bias keeps it; each later one gets a copy.
    if (!firstReader.has(slot.bias)) {
      firstReader.add(slot.bias);
      continue;
    }
    let name = `${slot.bias}:${slot.layer}`;
    while (taken.has(name)) name += "'";
    taken.add(name);
    const original = initializers.get(slot.bias) as Initializer;
    initializers.set(name, { ...original, name, data: original.data.slice() });
    copies.set(slot.bias, [...(copies.get(slot.bias) ?? []), name]);
    const inputs = rewired.get(slot.node) ?? new Map<number, string>();
    inputs.set(slot.input, name);
    rewired.set(slot.node, inputs);
  }
  // Models before IR version 4 also list their initializers as graph inputs; list the copies likewise.
  const inputs = model.graph.inputs.flatMap((v) => [v, ...(copies.get(v.name) ?? []).map((name) => ({ ...v, name }))]);
  const nodes = model.graph.nodes.map((node) => {
    const replaced = rewired.get(node);
    return replaced ? { ...node, inputs: node.inputs.map((value, i) => replaced.get(i) ?? value) } : node;
  });
  return { ...model, graph: { ...model.graph, nodes, initializers, inputs } };
}

