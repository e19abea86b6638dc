/**
 * Assembles forward graph + backward nodes into one ONNX model: either the
 * gradients of a classifier's mean cross-entropy (buildGradientGraph) or, for
 * any model, vector-Jacobian products with output gradients fed as inputs
 * (differentiate).
 */
import { ModelError } from '../errors.js';
import { onnxTypeCode } from '../onnx/dtypes.js';
import { initializersAsInputs } from '../onnx/edit.js';
import { defaultOpset, type Model, type Node, type ValueInfo } from '../onnx/ir.js';
import { classifierIO } from '../runtime/classifier.js';
import { emitBackward, type Contribution } from './backward.js';
import { attr, GradBuilder, type Value } from './builder.js';
import type { DifferentiableModel } from './differentiable.js';

export interface GradientGraphOptions {
  /** Initializers to differentiate (weights and biases). */
  wrt: readonly string[];
  /** Turn the `wrt` initializers into graph inputs, so one session runs at any weight values. */
  weightsAsInputs?: boolean;
  /** More forward values to output. */
  extraOutputs?: readonly string[];
}

export interface GradientGraph {
  model: Model;
  /** The image input. */
  input: string;
  /** The int64 [N] label input. */
  labels: 'labels';
  /** The scalar loss output: mean cross-entropy of the logits against the labels. */
  loss: string;
  logits: string;
  /** wrt initializer → name of the output holding its gradient. */
  gradients: ReadonlyMap<string, string>;
  /** Every gradient contribution the rules emitted (for shape checks). */
  contributions: readonly Contribution[];
}

/**
 * The gradient of the mean cross-entropy of a classifier with respect to
 * some of its initializers, as one ONNX model (forward and backward in one
 * graph). The loss is LogSoftmax, the label column picked by GatherElements,
 * ReduceMean and Neg; the backward pass starts from dLogits = (softmax − onehot) / N.
 *
 * @example
 * const model = await differentiableClassifier(await prepareModelFile('model.onnx'));
 * const graph = buildGradientGraph(model, { wrt: ['conv1.weight'] });
 * // feed graph.input (float32 [N,1,28,28]) and graph.labels (int64 [N]); fetch graph.loss and graph.gradients
 */
export function buildGradientGraph(model: DifferentiableModel, options: GradientGraphOptions): GradientGraph {
  const source = model.source;
  const io = classifierIO(model, source);
  checkWrt(model, options.wrt, source);
  const graph = model.graph;
  const used = usedNames(model);
  if (used.has('labels')) throw new ModelError(`${source}: already has a value named "labels", which the gradient graph needs for its label input`);
  const g = new GradBuilder(defaultOpset(model), model.shapes, used);
  g.setType('labels', 'int64');
  const logits = io.logits;
  const classes = model.shapes.get(logits).dims[1] as number;
  const type = g.typeOf(logits);
  const { loss, dLogits } = g.withScope('loss', () => {
    const logProbs = g.op('LogSoftmax', [logits], { axis: attr.int(-1) });
    const picked = g.op('GatherElements', [logProbs, g.unsqueeze('labels', [1])], { axis: attr.int(1) });
    const loss = g.neg(g.op('ReduceMean', [picked], { keepdims: attr.int(0) }));
    const values = g.constant(type, [2], type === 'float64' ? Float64Array.of(0, 1) : Float32Array.of(0, 1), 'onehot_values');
    const depth = g.constant('int64', [], BigInt64Array.of(BigInt(classes)), 'classes');
    const oneHot = g.op('OneHot', ['labels', depth, values], { axis: attr.int(-1) });
    const count = g.cast(g.op('Shape', ['labels']), type);
    const dLogits = g.div(g.sub(g.exp(logProbs), oneHot), count);
    return { loss, dLogits };
  });
  const backward = emitBackward(graph, g, options.wrt, new Map([[logits, dLogits]]), source);
  const lossOut = g.freshExact('loss');
  const { nodes: outputs, gradients } = gradientOutputs(g, backward.gradients);
  const labelsInput: ValueInfo = { name: 'labels', elemType: onnxTypeCode('int64'), shape: ['N'] };
  let result = withBackward(model, g, [identity(loss, lossOut), ...outputs], [...graph.inputs, labelsInput], [lossOut, logits, ...gradients.values(), ...(options.extraOutputs ?? [])]);
  if (options.weightsAsInputs) result = initializersAsInputs(result, options.wrt);
  return { model: result, input: io.input.name, labels: 'labels', loss: lossOut, logits, gradients, contributions: backward.contributions };
}

export interface DifferentiateOptions {
  /** Values to differentiate: initializers (or graph inputs). */
  wrt: readonly string[];
  /** Forward values whose gradients are fed as graph inputs (vector-Jacobian products). */
  seeds: readonly string[];
  weightsAsInputs?: boolean;
  /** Forward values to output besides the gradients (default: the seeds). */
  outputs?: readonly string[];
}

export interface DifferentiatedModel {
  model: Model;
  /** Seeded value → name of the input that takes its gradient. */
  seedInputs: ReadonlyMap<string, string>;
  /** wrt value → name of the output holding Σ_seeds ⟨seed gradient, ∂seed/∂wrt⟩. */
  gradients: ReadonlyMap<string, string>;
  contributions: readonly Contribution[];
}

/** Vector-Jacobian products of any model: feed the gradients of `seeds`, fetch those of `wrt`. */
export function differentiate(model: DifferentiableModel, options: DifferentiateOptions): DifferentiatedModel {
  const source = model.source;
  checkWrt(model, options.wrt, source);
  const graph = model.graph;
  const g = new GradBuilder(defaultOpset(model), model.shapes, usedNames(model));
  const seedInputs = new Map<string, string>();
  const inputs: ValueInfo[] = [...graph.inputs];
  for (const seed of options.seeds) {
    const name = g.freshExact(`${seed}_seed`);
    const s = model.shapes.get(seed);
    const type = model.shapes.dataType(seed);
    g.setType(name, type);
    seedInputs.set(seed, name);
    inputs.push({ name, elemType: onnxTypeCode(type), shape: s.dims.map((d, i) => (s.dynamic[i] ? null : d)) });
  }
  const backward = emitBackward(graph, g, options.wrt, seedInputs, source);
  const { nodes: outputs, gradients } = gradientOutputs(g, backward.gradients);
  let result = withBackward(model, g, outputs, inputs, [...(options.outputs ?? options.seeds), ...gradients.values()]);
  if (options.weightsAsInputs) result = initializersAsInputs(result, options.wrt.filter((w) => graph.initializers.has(w)));
  return { model: result, seedInputs, gradients, contributions: backward.contributions };
}

/** An Identity per gradient, naming it `<wrt>_grad`, and the names by wrt value. */
function gradientOutputs(g: GradBuilder, values: ReadonlyMap<string, Value>): { nodes: Node[]; gradients: Map<string, string> } {
  const nodes: Node[] = [];
  const gradients = new Map<string, string>();
  for (const [w, value] of values) {
    const name = g.freshExact(`${w}_grad`);
    nodes.push(identity(value, name));
    gradients.set(w, name);
  }
  return { nodes, gradients };
}

/** The forward model with the builder's backward nodes and initializers, and these extra nodes, inputs and outputs. */
function withBackward(model: DifferentiableModel, g: GradBuilder, extra: readonly Node[], inputs: readonly ValueInfo[], outputs: readonly string[]): Model {
  const graph = model.graph;
  return {
    ...withoutShapes(model),
    graph: {
      ...graph,
      nodes: [...graph.nodes, ...g.nodes, ...extra],
      initializers: new Map([...graph.initializers, ...g.initializers]),
      inputs,
      outputs: outputs.map(untyped),
      valueInfo: [],
    },
  };
}

function checkWrt(model: Model, wrt: readonly string[], source: string): void {
  const inputs = new Set(model.graph.inputs.map((v) => v.name));
  for (const w of wrt) {
    const init = model.graph.initializers.get(w);
    if (!init && !inputs.has(w)) throw new ModelError(`${source}: no initializer named "${w}" to differentiate`);
    if (init && init.dataType !== 'float32' && init.dataType !== 'float64') {
      throw new ModelError(`${source}: initializer "${w}" is ${init.dataType}; only float32 and float64 tensors have gradients`);
    }
  }
}

function usedNames(model: Model): Set<string> {
  const used = new Set<string>([...model.graph.initializers.keys(), ...model.graph.inputs.map((v) => v.name), ...model.graph.outputs.map((v) => v.name)]);
  for (const n of model.graph.nodes) {
    used.add(n.name);
    for (const o of n.outputs) used.add(o);
  }
  return used;
}

function identity(from: Value, to: string): Node {
  return { name: `${to}/Identity`, opType: 'Identity', domain: '', inputs: [from], outputs: [to], attributes: new Map() };
}

function untyped(name: string): ValueInfo {
  return { name, elemType: 0, shape: undefined };
}

function withoutShapes(model: DifferentiableModel): Model {
  const { shapes: _shapes, source: _source, ...plain } = model;
  return plain;
}
