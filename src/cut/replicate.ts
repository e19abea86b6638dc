/**
 * Several perturbations of one layer in one onnxruntime session: the layer's downstream part (cut.ts)
 * copied once per variant, each copy with its own changed weights baked in, all copies reading the same
 * frontier inputs and sharing every unchanged weight (but those the cut marks `perCopy`). One session
 * per bundle instead of one per job saves the session creation, its first-run allocations and release,
 * and one onnxruntime call per batch for each extra copy. Each copy is the same subgraph as the single-variant model, so onnxruntime
 * optimises and computes it the same way: the logits are bit-identical to one session per variant
 * (checked on every zoo model, docs/benchmarks.md).
 */
import { assert } from '../errors.js';
import { withInitializerValues } from '../onnx/edit.js';
import type { Initializer, Model, Node, ValueInfo } from '../onnx/ir.js';
import type { DownstreamCut } from './cut.js';

/** The output that carries variant `index`'s logits in a replicated model. */
export function variantOutput(logits: string, index: number, prefix: string): string {
  return index === 0 ? logits : `${prefix}${index}/${logits}`;
}

/**
 * The downstream model with `variants.length` copies. Copy 0 keeps the original names (one variant gives
 * exactly the single-variant model); copy i > 0 renames every value its nodes compute and every changed
 * weight with `prefix` + i + "/". Returns the model and the prefix (chosen so that no renamed value
 * collides with a name already in the graph).
 */
export function replicatedModel(cut: DownstreamCut, variants: readonly ReadonlyMap<string, Float32Array>[]): { model: Model; prefix: string } {
  assert(variants.length > 0, () => 'a replicated cut needs at least one variant');
  const first = withInitializerValues(cut.model, variants[0] as ReadonlyMap<string, Float32Array>);
  const graph = first.graph;
  const prefix = freePrefix(graph.nodes, graph.initializers, graph.inputs);
  if (variants.length === 1) return { model: first, prefix };
  const frontier = new Set(graph.inputs.map((v) => v.name));
  const nodes: Node[] = [...graph.nodes];
  const initializers = new Map<string, Initializer>(graph.initializers);
  const outputs: ValueInfo[] = [...graph.outputs];
  const valueInfo: ValueInfo[] = [...graph.valueInfo];
  variants.forEach((values, index) => {
    if (index === 0) return;
    const tag = `${prefix}${index}/`;
    const copied = (name: string): string => {
      if (name === '' || frontier.has(name)) return name;
      if (graph.initializers.has(name) && !values.has(name) && !cut.perCopy.has(name)) return name; // an unchanged weight, shared
      return tag + name;
    };
    for (const node of graph.nodes) nodes.push({ ...node, name: tag + node.name, inputs: node.inputs.map(copied), outputs: node.outputs.map(copied) });
    for (const name of cut.perCopy) {
      const own = graph.initializers.get(name);
      assert(own, () => `no initializer named "${name}" in the downstream part`);
      initializers.set(tag + name, { ...own, name: tag + name });
    }
    for (const [name, data] of values) {
      const old = graph.initializers.get(name);
      assert(old, () => `no initializer named "${name}" in the downstream part`);
      assert(data.length === old.data.length, () => `initializer "${name}": replacement has ${data.length} values, expected ${old.data.length}`);
      initializers.set(tag + name, { ...old, name: tag + name, data });
    }
    for (const out of graph.outputs) outputs.push({ ...out, name: copied(out.name) });
    for (const info of graph.valueInfo) valueInfo.push({ ...info, name: copied(info.name) });
  });
  return { model: { ...first, graph: { ...graph, nodes, initializers, outputs, valueInfo } }, prefix };
}

/** "safer.copy", or with a number appended, such that no name of the graph starts with it. */
function freePrefix(nodes: readonly Node[], initializers: ReadonlyMap<string, Initializer>, inputs: readonly ValueInfo[]): string {
  const names = [...nodes.flatMap((n) => [n.name, ...n.outputs]), ...initializers.keys(), ...inputs.map((v) => v.name)];
  for (let n = 0; ; n++) {
    const prefix = n === 0 ? 'safer.copy' : `safer.copy${n}.`;
    if (!names.some((name) => name.startsWith(prefix))) return prefix;
  }
}
