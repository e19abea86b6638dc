/**
 * safer's in-memory view of an ONNX model: plain, typed data decoded once
 * from the protobuf. Values are treated as immutable; edits build new objects
 * (see edit.ts), so a loaded model can be shared between sessions and sweeps.
 */
import type { onnx } from 'onnx-proto';
import type { DataType, TypedArray } from './dtypes.js';

/** A dense tensor with its values decoded into a typed array. */
export interface Tensor {
  readonly dataType: DataType;
  readonly dims: readonly number[];
  readonly data: TypedArray;
}

/** A named tensor stored in the graph (ONNX initializer). */
export interface Initializer extends Tensor {
  readonly name: string;
}

export type AttributeValue =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  // Subgraphs and other rarely used kinds are carried through untouched.
  | { readonly type: 'raw'; readonly value: onnx.IAttributeProto };

export interface Node {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];   // '' marks an omitted optional input
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, AttributeValue>;
}

/** A dimension: a fixed size, a symbolic name (e.g. "batch"), or unknown. */
export type Dim = number | string | null;

export interface ValueInfo {
  readonly name: string;
  /** ONNX element type code (1 = float32, 7 = int64, ...), 0 if not given. */
  readonly elemType: number;
  /** undefined when the shape is not given at all. */
  readonly shape: readonly Dim[] | undefined;
}

export interface Graph {
  readonly name: string;
  readonly nodes: readonly Node[];
  readonly initializers: ReadonlyMap<string, Initializer>;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly valueInfo: readonly ValueInfo[];
}

export interface Model {
  readonly irVersion: number;
  /** Opset version per domain; the default domain is ''. */
  readonly opsets: ReadonlyMap<string, number>;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: Graph;
  /** Top-level fields safer does not model (doc string, metadata, functions), written back as they were. */
  readonly passthrough: onnx.IModelProto;
}

/** The default-domain opset of a model (1 if absent, as ONNX specifies). */
export function defaultOpset(model: Model): number {
  return model.opsets.get('') ?? model.opsets.get('ai.onnx') ?? 1;
}

/** Graph inputs that are fed at run time (ONNX < IR 4 lists initializers as inputs too). */
export function runtimeInputs(graph: Graph): ValueInfo[] {
  return graph.inputs.filter((v) => !graph.initializers.has(v.name));
}
