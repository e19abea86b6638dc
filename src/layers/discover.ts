/**
 * Finds the weight layers of a model. The weight operand may reach the op
 * through Identity or Transpose nodes (exporters insert both); the output
 * channel axis is mapped back through them to the stored layout.
 */
import { attrInt, attrInts } from '../onnx/attrs.js';
import { GraphIndex, topologicalOrder } from '../onnx/graph.js';
import type { Initializer, Model, Node } from '../onnx/ir.js';
import type { Layer, LayerOp } from './layer.js';

/** Elements of a value per sample, if known. */
export type SampleSize = (value: string) => number | undefined;

const LAYER_OPS: ReadonlySet<string> = new Set<LayerOp>(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Gather', 'LSTM', 'GRU', 'RNN']);

/** An initializer reached from an op input, and the axis permutation applied on the way. */
interface TracedConstant {
  readonly init: Initializer;
  /** perm[opAxis] = stored axis. */
  readonly perm: readonly number[];
}

function traceConstant(index: GraphIndex, value: string): TracedConstant | undefined {
  const init = index.graph.initializers.get(value);
  if (init) return { init, perm: init.dims.map((_, i) => i) };
  const node = index.producer(value);
  if (!node || node.domain !== '') return undefined;
  if (node.opType === 'Identity') return traceConstant(index, node.inputs[0] ?? '');
  if (node.opType === 'Transpose') {
    const inner = traceConstant(index, node.inputs[0] ?? '');
    if (!inner) return undefined;
    const rank = inner.perm.length;
    const perm = attrInts(node, 'perm') ?? [...Array(rank).keys()].reverse();
    return { init: inner.init, perm: perm.map((p) => inner.perm[p] as number) };
  }
  return undefined;
}

interface Candidate {
  node: Node;
  op: LayerOp;
  weight: TracedConstant;
  /** Output-channel axis in the op's view of the weight. */
  opAxis: number;
  bias: Initializer | undefined;
  /** Recurrent ops: the features of one time step of X (W's last dim), for FLOPs. */
  stepFeatures?: number | undefined;
}

/** The weight layers of one node: one for most ops, W and R for a recurrent op. */
function candidatesOf(index: GraphIndex, node: Node): Candidate[] {
  if (node.domain !== '' || !LAYER_OPS.has(node.opType)) return [];
  const op = node.opType as LayerOp;
  switch (op) {
    case 'Gather': {
      // An embedding: a float table [vocabulary, dim] gathered along axis 0. Its output channels are
      // the embedding dims (axis 1), as the output's last axis carries them.
      const table = traceConstant(index, node.inputs[0] ?? '');
      const axis = attrInt(node, 'axis', 0);
      if (!table || table.perm.length !== 2 || (axis !== 0 && axis !== -2)) return [];
      return [{ node, op, weight: table, opAxis: 1, bias: undefined }];
    }
    case 'LSTM':
    case 'GRU':
    case 'RNN': {
      // W [directions, gates·hidden, input] and R [directions, gates·hidden, hidden]: axis 1 indexes
      // the gate units, the outputs of the layer. B packs both biases per direction: not a per-channel bias.
      const stepFeatures = traceConstant(index, node.inputs[1] ?? '')?.init.dims[2];
      return [node.inputs[1], node.inputs[2]].flatMap((value) => {
        const weight = traceConstant(index, value ?? '');
        return weight && weight.perm.length === 3 ? [{ node, op, weight, opAxis: 1, bias: undefined, stepFeatures }] : [];
      });
    }
    default: {
      const c = candidateOf(index, node, op);
      return c ? [c] : [];
    }
  }
}

function candidateOf(index: GraphIndex, node: Node, op: 'Conv' | 'ConvTranspose' | 'Gemm' | 'MatMul'): Candidate | undefined {
  const biasOf = (value: string | undefined): Initializer | undefined =>
    value ? traceConstant(index, value)?.init : undefined;
  switch (op) {
    case 'Conv': {
      const weight = traceConstant(index, node.inputs[1] ?? '');
      return weight && { node, op, weight, opAxis: 0, bias: biasOf(node.inputs[2]) };
    }
    case 'ConvTranspose': {
      const weight = traceConstant(index, node.inputs[1] ?? '');
      return weight && { node, op, weight, opAxis: 1, bias: biasOf(node.inputs[2]) };
    }
    case 'Gemm': {
      const weight = traceConstant(index, node.inputs[1] ?? '');
      const opAxis = attrInt(node, 'transB', 0) === 1 ? 0 : 1;
      return weight && { node, op, weight, opAxis, bias: biasOf(node.inputs[2]) };
    }
    case 'MatMul': {
      const right = traceConstant(index, node.inputs[1] ?? '');
      if (right) return { node, op, weight: right, opAxis: right.perm.length - 1, bias: matMulBias(index, node) };
      const left = traceConstant(index, node.inputs[0] ?? '');
      if (left && left.perm.length >= 2) return { node, op, weight: left, opAxis: left.perm.length - 2, bias: undefined };
      return undefined;
    }
  }
}

/** A MatMul's bias is the constant operand of the Add that alone consumes its output. */
function matMulBias(index: GraphIndex, node: Node): Initializer | undefined {
  const out = node.outputs[0] ?? '';
  const consumers = index.consumers(out);
  const add = consumers[0];
  if (consumers.length !== 1 || !add || add.opType !== 'Add') return undefined;
  const other = add.inputs[0] === out ? add.inputs[1] : add.inputs[0];
  return other ? traceConstant(index, other)?.init : undefined;
}

/** Where a layer's bias enters the graph: input `input` of `node` (the layer's op, or a MatMul's Add). */
export interface BiasSlot {
  /** The layer's weight initializer name. */
  readonly layer: string;
  readonly node: Node;
  readonly input: number;
  /** The bias initializer (reached directly or through Identity/Transpose nodes). */
  readonly bias: string;
}

/** The bias slot of every layer that has a bias, in topological order. */
export function biasSlots(model: Model, source = 'model'): BiasSlot[] {
  const index = new GraphIndex(model.graph);
  const slots: BiasSlot[] = [];
  for (const { layer, candidate } of layersWithCandidates(model, undefined, source)) {
    if (!layer.bias) continue;
    const { node } = candidate;
    if (candidate.op === 'MatMul') {
      const add = index.consumers(node.outputs[0] ?? '')[0] as Node;
      slots.push({ layer: layer.name, node: add, input: add.inputs[0] === node.outputs[0] ? 1 : 0, bias: layer.bias });
    } else {
      slots.push({ layer: layer.name, node, input: 2, bias: layer.bias });
    }
  }
  return slots;
}

/**
 * Lists the weight layers in topological order. `sampleSize` (elements of a value per sample, from
 * the model's shape probe) makes FLOPs known; without it flops are null.
 */
export function discoverLayers(model: Model, sampleSize?: SampleSize, source = 'model'): Layer[] {
  return layersWithCandidates(model, sampleSize, source).map((x) => x.layer);
}

function layersWithCandidates(model: Model, sampleSize: SampleSize | undefined, source: string): { layer: Layer; candidate: Candidate }[] {
  const index = new GraphIndex(model.graph);
  const order = topologicalOrder(model.graph, source);
  const found: { layer: Layer; candidate: Candidate }[] = [];
  const seen = new Set<string>();
  for (const node of order) {
    for (const c of candidatesOf(index, node)) {
      if (seen.has(c.weight.init.name)) continue;
      if (c.weight.init.dataType !== 'float32') continue;
      seen.add(c.weight.init.name);
      const channelAxis = c.weight.perm[c.opAxis] as number;
      const channels = c.weight.init.dims[channelAxis] as number;
      const weightSize = c.weight.init.dims.reduce((a, b) => a * b, 1);
      const bias = c.bias && c.bias.dataType === 'float32' && c.bias.data.length === channels ? c.bias : undefined;
      const layer: Layer = {
        name: c.weight.init.name,
        node: node.name,
        op: c.op,
        shape: [...c.weight.init.dims],
        params: weightSize + (bias?.data.length ?? 0),
        channelAxis,
        channels,
        bias: bias?.name ?? null,
        flops: sampleSize ? flopsOf(c, weightSize, channels, sampleSize) : null,
        index: found.length,
      };
      found.push({ layer, candidate: c });
    }
  }
  return found;
}

/** 2 × multiply-accumulates per sample. */
function flopsOf(c: Candidate, weightSize: number, channels: number, sampleSize: SampleSize): number | null {
  const sizeOfValue = (name: string | undefined): number | undefined => (name ? sampleSize(name) : undefined);
  // A lookup multiplies nothing.
  if (c.op === 'Gather') return 0;
  if (c.op === 'LSTM' || c.op === 'GRU' || c.op === 'RNN') {
    // Each time step multiplies every W (or R) entry once per direction: X holds steps × input per sample.
    // Shorter sequences (sequence_lens) do less; this counts every step.
    const inputSize = sizeOfValue(c.node.inputs[0]);
    return inputSize === undefined || !c.stepFeatures ? null : 2 * (inputSize / c.stepFeatures) * weightSize;
  }
  if (c.op === 'ConvTranspose') {
    // Every input element is multiplied with one [out/groups, kh, kw] slice of the weight.
    const inputSize = sizeOfValue(c.node.inputs[0]);
    const inChannels = c.weight.init.dims[0] as number;
    return inputSize === undefined ? null : 2 * inputSize * (weightSize / inChannels);
  }
  // Conv, Gemm, MatMul: every output element is a dot product of one channel's weights.
  const outputSize = sizeOfValue(c.node.outputs[0]);
  return outputSize === undefined ? null : 2 * outputSize * (weightSize / channels);
}
