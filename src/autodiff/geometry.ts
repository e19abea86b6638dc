/**
 * Window geometry of Conv, ConvTranspose and the pooling ops: attributes read
 * once into a typed object, defaults filled in, auto_pad resolved to explicit
 * (possibly asymmetric) pads from the measured input size.
 */
import { ModelError } from '../errors.js';
import { attrInt, attrInts, attrString } from '../onnx/attrs.js';
import type { Node } from '../onnx/ir.js';

export interface WindowGeometry {
  /** Number of spatial axes. */
  readonly rank: number;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
}

export interface ConvGeometry extends WindowGeometry {
  readonly group: number;
}

/** Effective kernel extent (k − 1)·d + 1 along axis i. */
export function extent(g: WindowGeometry, i: number): number {
  return ((g.kernel[i] as number) - 1) * (g.dilations[i] as number) + 1;
}

/**
 * Reads the window attributes of `node`. `input` is the spatial size of the
 * input (used to resolve SAME_* padding), `kernelFallback` the kernel size
 * when it is not an attribute (Conv takes it from the weight).
 */
export function windowGeometry(node: Node, input: readonly number[], kernelFallback?: readonly number[]): WindowGeometry {
  const rank = input.length;
  const kernel = attrInts(node, 'kernel_shape') ?? kernelFallback;
  if (!kernel || kernel.length !== rank) {
    throw new ModelError(`node "${node.name}" (${node.opType}): no kernel_shape of length ${rank} for its ${rank}-d input`);
  }
  const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
  const dilations = attrInts(node, 'dilations') ?? kernel.map(() => 1);
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * rank).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const g: WindowGeometry = {
    rank,
    kernel,
    strides,
    dilations,
    padsBegin: pads.slice(0, rank),
    padsEnd: pads.slice(rank, 2 * rank),
  };
  if (autoPad === 'NOTSET') return g;
  if (autoPad === 'VALID') return { ...g, padsBegin: kernel.map(() => 0), padsEnd: kernel.map(() => 0) };
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') {
    throw new ModelError(`node "${node.name}" (${node.opType}): unknown auto_pad "${autoPad}"`);
  }
  const padsBegin: number[] = [];
  const padsEnd: number[] = [];
  for (let i = 0; i < rank; i++) {
    const size = input[i] as number;
    const s = strides[i] as number;
    const out = Math.ceil(size / s);
    const total = Math.max(0, (out - 1) * s + extent(g, i) - size);
    const small = Math.floor(total / 2);
    padsBegin.push(autoPad === 'SAME_UPPER' ? small : total - small);
    padsEnd.push(autoPad === 'SAME_UPPER' ? total - small : small);
  }
  return { ...g, padsBegin, padsEnd };
}

export function convGeometry(node: Node, input: readonly number[], weightDims: readonly number[]): ConvGeometry {
  return { ...windowGeometry(node, input, weightDims.slice(2)), group: attrInt(node, 'group', 1) };
}

/**
 * Explicit pads and output_padding of the transposed window op that maps a
 * `output`-sized tensor back onto an `input`-sized one. Rows the forward op
 * never reached (when (input + pads − extent) is not a multiple of the
 * stride, or a ceil_mode window hangs off the end) are handled here: the end
 * pad is adjusted and output_padding restores the exact input size.
 */
export function transposedPads(g: WindowGeometry, input: readonly number[], output: readonly number[]): { padsEnd: number[]; outputPadding: number[] } {
  const padsEnd: number[] = [];
  const outputPadding: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    const reach = (g.strides[i] as number) * ((output[i] as number) - 1) + extent(g, i) - (g.padsBegin[i] as number);
    const end = reach - (input[i] as number);
    padsEnd.push(Math.max(0, end));
    outputPadding.push(Math.max(0, -end));
  }
  return { padsEnd, outputPadding };
}
