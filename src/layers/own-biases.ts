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
import { biasSlots, type BiasSlot } from './discover.js';

export function withOwnBiases(model: Model, source = 'model'): Model {
  const readers = new Map<string, BiasSlot[]>();
  for (const slot of biasSlots(model, source)) readers.set(slot.bias, [...(readers.get(slot.bias) ?? []), slot]);
  const shared = [...readers].filter(([, slots]) => slots.length > 1);
  if (shared.length === 0) return model;

  const taken = new Set<string>([...model.graph.initializers.keys(), ...model.graph.inputs.map((v) => v.name), ...model.graph.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  const initializers = new Map(model.graph.initializers);
  const rewired = new Map<Node, Map<number, string>>();
  const copies = new Map<string, string[]>();
  for (const [bias, slots] of shared) {
    const original = initializers.get(bias) as Initializer;
    // The first layer that reads a shared bias keeps it; each later one gets a copy.
    const names = slots.slice(1).map((slot) => {
      let name = `${bias}:${slot.layer}`;
      while (taken.has(name)) name += "'";
      taken.add(name);
      initializers.set(name, { ...original, name, data: original.data.slice() });
      rewired.set(slot.node, (rewired.get(slot.node) ?? new Map<number, string>()).set(slot.input, name));
      return name;
    });
    copies.set(bias, names);
  }
  // Models before IR version 4 also list their initializers as graph inputs; list the copies likewise.
  const inputs = model.graph.inputs.flatMap((v) => [v, ...(copies.get(v.name) ?? []).map((name) => ({ ...v, name }))]);
  const nodes = model.graph.nodes.map((node) => {
    const replaced = rewired.get(node);
    return replaced ? { ...node, inputs: node.inputs.map((value, i) => replaced.get(i) ?? value) } : node;
  });
  return { ...model, graph: { ...model.graph, nodes, initializers, inputs } };
}
