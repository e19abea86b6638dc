import { PerturbationError } from './errors.js';

/** One layer's weight tensor, in its ONNX layout, and the axis of its output channels. */
export interface PerturbTarget {
  weight: Float32Array;
  shape: readonly number[];
  /** Output-channel axis: 0 for Conv and Gemm transB=1, 1 for Gemm transB=0, MatMul [in, out] and ConvTranspose. */
  channelAxis: number;
  /** One entry per channel along `channelAxis`; only `prunec` changes it. */
  bias?: Float32Array | undefined;
}

/** New arrays; the target is never mutated. `bias` is present only when `prunec` zeroed some of its entries. */
export interface PerturbResult {
  weight: Float32Array;
  bias?: Float32Array;
}

/**
 * A tensor seen as [outer, channels, inner] around its channel axis: the flat
 * index of (o, c, k) is (o·channels + c)·inner + k.
 */
export interface ChannelLayout {
  readonly outer: number;
  readonly channels: number;
  readonly inner: number;
}

/** The whole tensor as one channel (per-tensor scale). */
export function wholeTensorLayout(length: number): ChannelLayout {
  return { outer: 1, channels: 1, inner: length };
}

export function channelLayout(shape: readonly number[], channelAxis: number): ChannelLayout {
  return {
    outer: product(shape.slice(0, channelAxis)),
    channels: shape[channelAxis] ?? 0,
    inner: product(shape.slice(channelAxis + 1)),
  };
}

/** Calls `visit(flatIndex, channel)` for every entry, in flat-index order. */
export function forEachEntry(layout: ChannelLayout, visit: (index: number, channel: number) => void): void {
  const { outer, channels, inner } = layout;
  let index = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      for (let k = 0; k < inner; k++) visit(index++, c);
    }
  }
}

export function product(dims: readonly number[]): number {
  return dims.reduce((acc, d) => acc * d, 1);
}

/** Throws `PerturbationError` unless shape, channel axis, weight length and bias length agree. */
export function checkTarget(target: PerturbTarget): ChannelLayout {
  const { weight, shape, channelAxis, bias } = target;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new PerturbationError(`shape must hold non-negative integers, got [${shape.join(', ')}]`);
  }
  if (!Number.isInteger(channelAxis) || channelAxis < 0 || channelAxis >= shape.length) {
    throw new PerturbationError(
      `channelAxis must be an integer in [0, ${shape.length - 1}] for shape [${shape.join(', ')}], got ${channelAxis}`,
    );
  }
  const expected = product(shape);
  if (weight.length !== expected) {
    throw new PerturbationError(
      `weight has ${weight.length} entries but shape [${shape.join(', ')}] needs ${expected}`,
    );
  }
  const layout = channelLayout(shape, channelAxis);
  if (bias !== undefined && bias.length !== layout.channels) {
    throw new PerturbationError(
      `bias has ${bias.length} entries but the weight has ${layout.channels} channels along axis ${channelAxis}`,
    );
  }
  return layout;
}
