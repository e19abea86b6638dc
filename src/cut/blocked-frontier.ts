/**
 * Frontier values into onnxruntime's blocked layout (NCHWc), an exact rewrite of a cut for the sweep's
 * own copy of a graph (CutEngine's `blockedLayout`, x86-64).
 *
 * onnxruntime runs a convolution network in its blocked layout when every input of a Concat, Add or Sum
 * is in that layout, and turns a BatchNormalization on a blocked value into a fused per-channel
 * convolution. A cut's frontier values are graph inputs in the plain layout (NCHW): where one reaches
 * such an op, the whole region after it runs in the plain layout, with conversions around every
 * convolution and BatchNormalization and ReLU as separate kernels (DenseNet's cuts: a fifth of their time).
 * Feeding such a value through a 1 × 1 depthwise convolution with weights 1 and no bias puts it into the
 * blocked layout; the convolution computes 1·x + 0 = x, exactly, for every float (the sign of a zero
 * aside), so the cut computes the same function. Its logits match the whole graph's more often than before,
 * since the region after the frontier is optimised as in the whole graph; against the plain cut they
 * differ by float rounding (a BatchNormalization computed as a convolution).
 */
import type { Initializer, Node } from '../onnx/ir.js';
import type { DownstreamCut } from './cut.js';
import { LAYOUT_BLOCK } from './pad-channels.js';

/** Ops that onnxruntime keeps in the blocked layout only when their input(s) are in it. */
const LAYOUT_FOLLOWING = new Set(['Concat', 'Add', 'Sum', 'BatchNormalization']);

/** The float32 element type code of ONNX. */
const FLOAT = 1;

/**
 * `cut` with every frontier value of shape [N, C, H, W], C a multiple of `block`, that some Concat, Add,
 * Sum or BatchNormalization of the cut reads, fed through an identity depthwise convolution. The frontier
 * (the inputs and their names) stays as it is; a cut with no such value is returned as given.
 */
export function blockedFrontier(cut: DownstreamCut, block = LAYOUT_BLOCK): DownstreamCut {
  const graph = cut.model.graph;
  const names = new Set([...graph.nodes.flatMap((n) => [n.name, ...n.outputs]), ...graph.initializers.keys(), ...graph.inputs.map((v) => v.name)]);
  const free = (base: string): string => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}${i}`;
    names.add(name);
    return name;
  };
  const renamed = new Map<string, string>();
  const identities: Node[] = [];
  const initializers = new Map<string, Initializer>(graph.initializers);
  for (const value of cut.frontier) {
    const channels = value.shape?.[1];
    if (value.elemType !== FLOAT || value.shape?.length !== 4 || typeof channels !== 'number' || channels % block !== 0) continue;
    if (!graph.nodes.some((n) => LAYOUT_FOLLOWING.has(n.opType) && n.inputs.includes(value.name))) continue;
    const ones = free(`${value.name}/safer.ones`);
    initializers.set(ones, { name: ones, dataType: 'float32', dims: [channels, 1, 1, 1], data: new Float32Array(channels).fill(1) });
    const output = free(`${value.name}/safer.blocked`);
    identities.push({
      name: free(`${value.name}/safer.to-blocked`),
      opType: 'Conv',
      domain: '',
      inputs: [value.name, ones],
      outputs: [output],
      attributes: new Map([['group', { type: 'int', value: channels }], ['kernel_shape', { type: 'ints', value: [1, 1] }]]),
    });
    renamed.set(value.name, output);
  }
  if (identities.length === 0) return cut;
  const nodes = [...identities, ...graph.nodes.map((n) => ({ ...n, inputs: n.inputs.map((i) => renamed.get(i) ?? i) }))];
  // Each copy of a replicated cut converts the value itself: one conversion read by every copy would lose
  // the fusion of the Add with the convolution before it, and the copies' logits would differ from those of
  // a session of their own by rounding.
  const perCopy = new Set([...cut.perCopy, ...identities.map((n) => n.inputs[1] as string)]);
  return { ...cut, model: { ...cut.model, graph: { ...graph, nodes, initializers } }, nodes: nodes.length, perCopy };
}
