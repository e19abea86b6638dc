/**
 * Reverse-mode differentiation of an ONNX graph: finds the nodes that lie on
 * a path from a differentiated value to a seeded output, visits them in
 * reverse topological order, lets each op's rule emit the nodes of its input
 * gradients, and sums the gradients of values that fan out.
 */
import { NotDifferentiableError, UnsupportedOpError } from '../errors.js';
import { constantNodeValue } from '../onnx/attrs.js';
import { isDataType, isFloatType } from '../onnx/dtypes.js';
import { GraphIndex, topologicalOrder } from '../onnx/graph.js';
import type { Graph, Node, Tensor } from '../onnx/ir.js';
import type { GradBuilder, Value } from './builder.js';
import type { GradContext, GradEntry } from './rule.js';
import { GRAD_RULES } from './rules/index.js';

/** One gradient contribution emitted by a rule, for shape checks and debugging. */
export interface Contribution {
  readonly node: string;
  readonly opType: string;
  /** Schema name of the input (or its position for variadic ops). */
  readonly input: string;
  readonly forward: Value;
  readonly gradient: Value;
}

export interface BackwardResult {
  /** Differentiated value → the value holding its gradient. */
  readonly gradients: Map<string, Value>;
  readonly contributions: readonly Contribution[];
}

export function gradEntry(node: Node): GradEntry | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  return Object.hasOwn(GRAD_RULES, node.opType) ? (GRAD_RULES as Record<string, GradEntry>)[node.opType] : undefined;
}

export function supportedOps(): string[] {
  return Object.keys(GRAD_RULES);
}

/**
 * Emits into `g` the gradients of `wrt` (initializers or inputs of `graph`)
 * given the gradients `seeds` (forward value → gradient value) of some of
 * its values. Values in `wrt` that no seed depends on get zeros.
 */
export function emitBackward(graph: Graph, g: GradBuilder, wrt: readonly string[], seeds: ReadonlyMap<Value, Value>, source = 'model'): BackwardResult {
  const order = topologicalOrder(graph, source);
  const index = new GraphIndex(graph);
  const shapes = g.shapes;
  const isFloat = (v: Value): boolean => {
    if (v === '' || !shapes.has(v)) return false;
    const type = shapes.get(v).type;
    return isDataType(type) && isFloatType(type);
  };

  // Forward: values that depend on a differentiated value through float tensors.
  const varied = new Set<Value>(wrt);
  for (const node of order) {
    if (gradEntry(node)?.kind === 'zero') continue;
    if (!node.inputs.some((i) => varied.has(i))) continue;
    for (const out of node.outputs) if (isFloat(out)) varied.add(out);
  }
  // Backward: values some seed depends on.
  const useful = new Set<Value>(seeds.keys());
  const active: Node[] = [];
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k] as Node;
    if (!node.outputs.some((o) => varied.has(o) && useful.has(o))) continue;
    active.push(node);
    for (const i of node.inputs) if (varied.has(i)) useful.add(i);
  }

  const pending = new Map<Value, Value[]>();
  const add = (forward: Value, gradient: Value): void => {
    const list = pending.get(forward);
    if (list) list.push(gradient);
    else pending.set(forward, [gradient]);
  };
  for (const [value, gradient] of seeds) add(value, gradient);
  const collected = new Map<Value, Value>();
  const gradientOf = (value: Value): Value | undefined => {
    const done = collected.get(value);
    if (done) return done;
    const list = pending.get(value);
    if (!list || list.length === 0) return undefined;
    const total = g.sum(list);
    collected.set(value, total);
    return total;
  };

  const wrtSet = new Set(wrt);
  const constant = (value: Value): Tensor | undefined => constantValue(graph, index, value, wrtSet);
  const contributions: Contribution[] = [];
  for (const node of active) {
    const entry = gradEntry(node);
    if (entry === undefined) throw new UnsupportedOpError(node.opType, g.opset, node.name, supportedOps());
    if (entry.kind === 'not-differentiable') {
      throw new NotDifferentiableError(`node "${node.name}" (${node.opType}) is not differentiable, but the gradient of a differentiated value must flow through it`);
    }
    if (entry.kind === 'zero') continue;
    const dYs = node.outputs.map((o) => (o !== '' && varied.has(o) ? gradientOf(o) : undefined));
    const needs = (i: number): boolean => {
      const v = node.inputs[i];
      return v !== undefined && v !== '' && varied.has(v) && useful.has(v);
    };
    const ctx: GradContext = {
      node,
      g,
      shapes,
      opset: g.opset,
      inputs: node.inputs,
      outputs: node.outputs,
      dYs,
      needs,
      shape: (v) => shapes.get(v),
      ints: (v) => shapes.knownInts(v) ?? intsOf(constant(v)),
      constant,
    };
    const grads = g.withScope(`grad/${node.name}`, () => entry.backward(ctx));
    node.inputs.forEach((input, i) => {
      if (!needs(i)) return;
      const gradient = grads[i];
      const inputName = entry.inputs[i] ?? String(i);
      if (gradient === undefined) {
        throw new NotDifferentiableError(`node "${node.name}" (${node.opType}): no gradient for input ${inputName} ("${input}"), which a differentiated value reaches`);
      }
      contributions.push({ node: node.name, opType: node.opType, input: inputName, forward: input, gradient });
      add(input, gradient);
    });
  }

  const gradients = new Map<string, Value>();
  for (const w of wrt) {
    gradients.set(w, g.withScope(`grad/${w}`, () => gradientOf(w) ?? g.zerosLike(w)));
  }
  return { gradients, contributions };
}

function intsOf(t: Tensor | undefined): readonly number[] | undefined {
  if (!t) return undefined;
  if (t.data instanceof BigInt64Array) return Array.from(t.data, Number);
  if (t.data instanceof Int32Array) return Array.from(t.data);
  return undefined;
}

/** The value of a constant tensor: an initializer not being differentiated, or a Constant node (through Identity). */
export function constantValue(graph: Graph, index: GraphIndex, value: Value, exclude: ReadonlySet<string>): Tensor | undefined {
  if (value === '' || exclude.has(value)) return undefined;
  const init = graph.initializers.get(value);
  if (init) return init;
  const node = index.producer(value);
  if (!node) return undefined;
  if (node.opType === 'Identity') return constantValue(graph, index, node.inputs[0] ?? '', exclude);
  return node.opType === 'Constant' ? constantNodeValue(node) : undefined;
}
