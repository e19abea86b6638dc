/**
 * A weight layer: one Conv, ConvTranspose, Gemm or MatMul whose weight is an initializer, the table
 * of an embedding (Gather), or the input (W) or recurrence (R) weights of an LSTM, GRU or RNN.
 */

export type LayerOp = 'Conv' | 'ConvTranspose' | 'Gemm' | 'MatMul' | 'Gather' | 'LSTM' | 'GRU' | 'RNN';

/** Ops whose layers a gradient can reach in principle (the recurrent ops have no gradient rule). */
export const RECURRENT_OPS: ReadonlySet<LayerOp> = new Set<LayerOp>(['LSTM', 'GRU', 'RNN']);

export interface Layer {
  /** The weight initializer's name: the layer's identity everywhere in safer. */
  readonly name: string;
  /** Name of the node that consumes the weight (e.g. "/layer1/layer1.0/conv1/Conv"). */
  readonly node: string;
  readonly op: LayerOp;
  /** Weight dims as stored in the file. */
  readonly shape: readonly number[];
  /** Weight elements plus bias elements. */
  readonly params: number;
  /** Axis of the stored weight that indexes output channels (see docs/design.md). */
  readonly channelAxis: number;
  /** Number of output channels (shape[channelAxis]). */
  readonly channels: number;
  /** The bias initializer (one value per output channel), if the layer has one. */
  readonly bias: string | null;
  /** Floating-point operations per sample (2 per multiply-accumulate); null when shapes are unknown. */
  readonly flops: number | null;
  /** Position among the layers in topological order, from 0. */
  readonly index: number;
}
