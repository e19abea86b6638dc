/**
 * The graph cut behind a fast sweep: only the part of the graph downstream of
 * a perturbed weight depends on it. The downstream subgraph takes the
 * "frontier" (upstream values it reads) as inputs; the frontier is computed
 * once per batch and reused for every perturbation of that layer.
 *
 * Values upstream that no graph input reaches (the outputs of Constant nodes, say, such as a Clip's
 * bounds) are not frontier: their nodes are copied into the cut, so that onnxruntime sees them as
 * constants and fuses what it fuses in the whole graph (a Conv with its Clip: fed as inputs, the
 * bounds left every Clip of MobileNetV2 unfused, with layout conversions around it; docs/benchmarks.md).
 * Constant nodes among them become the cut's initializers (shared by the copies of a replicated cut).
 * A frontier value computed from another frontier value by a chain of cheap per-element ops (a
 * BatchNormalization and a ReLU) is recomputed in the cut rather than cached (recomputedChains).
 */
import { ModelError } from '../errors.js';
import { constantNodeValue } from '../onnx/attrs.js';
import { onnxTypeCode } from '../onnx/dtypes.js';
import { ancestorNodes, topologicalOrder } from '../onnx/graph.js';
import type { Dim, Initializer, Model, Node, ValueInfo } from '../onnx/ir.js';
import type { Layer } from '../layers/layer.js';
import type { ShapeTable } from '../model/shape-table.js';

export interface DownstreamCut {
  /** Inputs: the frontier values; output: the logits. */
  readonly model: Model;
  /** Values computed upstream (or fed as the image input) that the downstream part reads. */
  readonly frontier: readonly ValueInfo[];
  /** Number of nodes in the downstream part, against the whole graph. */
  readonly nodes: number;
  /** Bytes of the largest value the downstream part computes, per sample. */
  readonly largestValueBytes: number;
  /**
   * Unchanged initializers that each copy of a replicated cut holds its own of (replicate.ts): shared, they
   * would let onnxruntime merge the copies' nodes that read them into one (common-subexpression
   * elimination), and a merged node loses the fusions each copy has alone (blocked-frontier.ts).
   */
  readonly perCopy: ReadonlySet<string>;
}

/** The initializers a perturbation of this layer may change: its weight, and its bias (prunec). */
export function cutWeights(layer: Layer): string[] {
  return layer.bias ? [layer.name, layer.bias] : [layer.name];
}

/**
 * The nodes that depend on any of `weights` and lead to `output`, as a standalone model. Frontier
 * inputs get their probed shapes, the batch axis symbolic; `input` is the image input's declaration.
 */
export function cutDownstream(model: Model, weights: readonly string[], output: string, shapes: ShapeTable, input: ValueInfo): DownstreamCut {
  const order = topologicalOrder(model.graph);
  const affected = new Set<string>(weights);
  let downstream: Node[] = [];
  const needed = ancestorNodes(model.graph, [output]);
  for (const node of order) {
    if (!node.inputs.some((i) => affected.has(i))) continue;
    for (const out of node.outputs) if (out !== '') affected.add(out);
    if (needed.has(node)) downstream.push(node);
  }
  if (!affected.has(output)) {
    throw new ModelError(`no path from ${weights.join(', ')} to the output "${output}": perturbing it cannot change the predictions`);
  }
  const constants = constantProducers(model, order);
  const recomputed = [...downstream, ...recomputedChains(model, order, downstream, constants)];
  const inCut = new Set([...recomputed, ...constantNodes(constants, recomputed)]);
  if (inCut.size > downstream.length) downstream = order.filter((n) => inCut.has(n));
  const asInitializers = constantNodesAsInitializers(downstream);
  if (asInitializers.size > 0) downstream = downstream.filter((n) => !asInitializers.has(n.outputs[0] as string));
  const produced = new Set(downstream.flatMap((n) => n.outputs));
  const initializers = new Map<string, Initializer>();
  const frontierNames: string[] = [];
  for (const node of downstream) {
    for (const input of node.inputs) {
      if (input === '' || produced.has(input)) continue;
      const init = model.graph.initializers.get(input) ?? asInitializers.get(input);
      if (init) initializers.set(input, init);
      else if (!frontierNames.includes(input)) frontierNames.push(input);
    }
  }
  const frontier = frontierNames.map((name) => (name === input.name ? input : frontierInfo(name, shapes)));
  const graph = {
    ...model.graph,
    name: `${model.graph.name}-downstream`,
    nodes: downstream,
    initializers,
    inputs: frontier,
    outputs: [{ name: output, elemType: 0, shape: undefined }],
    valueInfo: model.graph.valueInfo.filter((v) => produced.has(v.name)),
  };
  let largestValueBytes = 0;
  for (const node of downstream) for (const out of node.outputs) if (out !== '' && shapes.has(out)) largestValueBytes = Math.max(largestValueBytes, shapes.sampleBytes(out));
  return { model: { ...model, graph }, frontier, nodes: downstream.length, largestValueBytes, perCopy: new Set() };
}

/**
 * The cut's Constant nodes (of a value safer decodes) as initializers, by output name. onnxruntime makes
 * them initializers too, but in a replicated cut (replicate.ts) each copy's nodes are its own, while an
 * unchanged initializer is shared. The ViT has 111 per copy: creating the 26 sessions of its sweep (5 copies
 * each) took 1.81 s with them as nodes, 1.58 s as initializers (docs/benchmarks.md).
 */
function constantNodesAsInitializers(nodes: readonly Node[]): Map<string, Initializer> {
  const initializers = new Map<string, Initializer>();
  for (const node of nodes) {
    if (node.opType !== 'Constant' || (node.domain !== '' && node.domain !== 'ai.onnx') || node.outputs.length !== 1) continue;
    const value = constantNodeValue(node);
    const name = node.outputs[0] as string;
    if (value && name !== '') initializers.set(name, { ...value, name });
  }
  return initializers;
}

/** Ops whose output is not a function of their inputs: never copied as constants. */
const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial', 'Bernoulli', 'Dropout']);

/** The values computed from initializers alone (no graph input reaches them), by the node computing each. */
function constantProducers(model: Model, order: readonly Node[]): Map<string, Node> {
  const constantValues = new Set<string>(model.graph.initializers.keys());
  const constant = new Map<string, Node>();
  for (const node of order) {
    if (NONDETERMINISTIC.has(node.opType) || !node.inputs.every((i) => i === '' || constantValues.has(i))) continue;
    for (const out of node.outputs) if (out !== '') {
      constantValues.add(out);
      constant.set(out, node);
    }
  }
  return constant;
}

/** Per-element ops of one varying input (the others constant), cheap enough to recompute in a cut rather than cache. */
const RECOMPUTED = new Set(['BatchNormalization', 'Relu', 'LeakyRelu', 'Clip', 'Identity']);

/**
 * Nodes upstream of `downstream` that compute one of its frontier values from another by a chain of
 * RECOMPUTED ops (a DenseNet layer's BatchNormalization and ReLU between the concatenation that is
 * frontier anyway and the perturbed convolution): in the cut they cost one pass over the value, cached
 * they cost its memory for the whole data set (DenseNet's frontier: 1.17 → 0.69 GB for 2,000 images).
 */
function recomputedChains(model: Model, order: readonly Node[], downstream: readonly Node[], constants: ReadonlyMap<string, Node>): Node[] {
  const producer = new Map(order.flatMap((n) => n.outputs.map((out) => [out, n] as const)));
  const isConstant = (v: string): boolean => v === '' || model.graph.initializers.has(v) || constants.has(v);
  const inCut = new Set(downstream);
  const produced = new Set(downstream.flatMap((n) => n.outputs));
  const frontier = new Set(downstream.flatMap((n) => n.inputs).filter((i) => !produced.has(i) && !isConstant(i)));
  const pulled: Node[] = [];
  for (const value of [...frontier]) {
    const chain: Node[] = [];
    let current = value;
    for (;;) {
      const node = producer.get(current);
      const varying = node?.inputs.filter((i) => !isConstant(i)) ?? [];
      if (!node || inCut.has(node) || !RECOMPUTED.has(node.opType) || node.outputs.length !== 1 || varying.length !== 1) break;
      chain.push(node);
      current = varying[0] as string;
      if (frontier.has(current) || produced.has(current)) {
        for (const n of chain) {
          inCut.add(n);
          pulled.push(n);
          produced.add(n.outputs[0] as string);
        }
        frontier.delete(value);
        break;
      }
    }
  }
  return pulled;
}

/**
 * The nodes upstream of `downstream` that compute its inputs from initializers alone (no graph input
 * reaches them), with their own such ancestors.
 */
function constantNodes(constant: ReadonlyMap<string, Node>, downstream: readonly Node[]): Set<Node> {
  const affected = new Set(downstream);
  const pulled = new Set<Node>();
  const stack = downstream.flatMap((n) => n.inputs);
  while (stack.length > 0) {
    const node = constant.get(stack.pop() as string);
    if (!node || affected.has(node) || pulled.has(node)) continue;
    pulled.add(node);
    stack.push(...node.inputs);
  }
  return pulled;
}

function frontierInfo(name: string, shapes: ShapeTable): ValueInfo {
  const { dims, dynamic } = shapes.get(name);
  const shape: Dim[] = dims.map((d, i) => (dynamic[i] ? 'N' : d));
  return { name, elemType: onnxTypeCode(shapes.dataType(name)), shape };
}
