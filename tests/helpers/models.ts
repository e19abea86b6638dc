/** Small hand-built ONNX models for tests. */
import type { AttributeValue, Graph, Initializer, Model, Node, ValueInfo } from '../../src/onnx/ir.js';
import { prepareModel, type PreparedModel } from '../../src/model/prepare.js';

/** A model held in memory, prepared for samples of `sampleShape` (default: its input's); no weight layer needed. */
export function prepareTest(model: Model, sampleShape?: readonly number[], source = 'test model'): Promise<PreparedModel> {
  return prepareModel(model, source, { ...(sampleShape ? { sampleShape } : {}), requireLayers: false });
}

export function floatInit(name: string, dims: number[], values?: number[]): Initializer {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = values ? (values[i] ?? 0) : Math.sin(i + 1) * 0.5;
  return { name, dataType: 'float32', dims, data };
}

export function int64Init(name: string, values: number[]): Initializer {
  return { name, dataType: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) };
}

export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttributeValue> = {}, name?: string): Node {
  return { name: name ?? `${opType}_${outputs[0]}`, opType, domain: '', inputs, outputs, attributes: new Map(Object.entries(attrs)) };
}

export const ints = (value: number[]): AttributeValue => ({ type: 'ints', value });
export const int = (value: number): AttributeValue => ({ type: 'int', value });
export const float = (value: number): AttributeValue => ({ type: 'float', value });

export function floatValue(name: string, shape: (number | string)[]): ValueInfo {
  return { name, elemType: 1, shape };
}

export function makeModel(parts: { nodes: Node[]; initializers: Initializer[]; inputs: ValueInfo[]; outputs: ValueInfo[] }, opset = 13): Model {
  const graph: Graph = {
    name: 'test',
    nodes: parts.nodes,
    initializers: new Map(parts.initializers.map((i) => [i.name, i])),
    inputs: parts.inputs,
    outputs: parts.outputs,
    valueInfo: [],
  };
  return { irVersion: 7, opsets: new Map([['', opset]]), producerName: 'safer-tests', producerVersion: '0', graph, passthrough: {} };
}

/** x[N,4] → Gemm(W[3,4], transB=1) + b → Relu → MatMul(Transpose(V[2,3])) → logits[N,2] */
export function tinyMlp(): Model {
  return makeModel({
    nodes: [
      node('Gemm', ['x', 'W', 'b'], ['h'], { transB: int(1) }, 'fc1'),
      node('Relu', ['h'], ['r']),
      node('Transpose', ['V'], ['Vt'], { perm: ints([1, 0]) }),
      node('MatMul', ['r', 'Vt'], ['logits'], {}, 'fc2'),
    ],
    initializers: [floatInit('W', [3, 4]), floatInit('b', [3]), floatInit('V', [2, 3])],
    inputs: [floatValue('x', ['N', 4])],
    outputs: [floatValue('logits', ['N', 2])],
  });
}

/** `model` with its input and output declaring a fixed batch size. */
export function withBatch(model: Model, batch: number): Model {
  const fix = (v: ValueInfo): ValueInfo => ({ ...v, shape: v.shape ? [batch, ...v.shape.slice(1)] : v.shape });
  return { ...model, graph: { ...model.graph, inputs: model.graph.inputs.map(fix), outputs: model.graph.outputs.map(fix) } };
}

/** tinyMlp's function, but the input goes through a Reshape to [batch, 4] first: the graph depends on the batch size. */
export function bakedMlp(batch: number): Model {
  const mlp = tinyMlp();
  return makeModel({
    nodes: [node('Reshape', ['x', 'shape'], ['x2'], {}, 'baked'), ...mlp.graph.nodes.map((n) => (n.name === 'fc1' ? { ...n, inputs: ['x2', 'W', 'b'] } : n))],
    initializers: [...mlp.graph.initializers.values(), int64Init('shape', [batch, 4])],
    inputs: [floatValue('x', [batch, 4])],
    outputs: [floatValue('logits', [batch, 2])],
  });
}
