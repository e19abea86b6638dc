/** A thin owner of one onnxruntime-node InferenceSession. */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { RuntimeError } from '../errors.js';
import { serializeModel } from '../onnx/model.js';
import type { Model } from '../onnx/ir.js';
import type { DataType, TypedArray } from '../onnx/dtypes.js';

// onnxruntime-node is CommonJS: required rather than imported, so that node does not scan it for named
// exports at start-up (5 ms).
const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
ort.env.logLevel = 'error';

export interface SessionOptions {
  /** Threads for one operator (onnxruntime intra-op threads); default: all cores. */
  threads?: number;
  /** onnxruntime graph optimisation level; default 'all'. */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Keep onnxruntime's own error log quiet: for runs that are expected to fail and are handled. */
  quiet?: boolean;
}

export type OrtTensor = Ort.Tensor;

export function makeTensor(type: DataType, data: TypedArray, dims: readonly number[]): Ort.Tensor {
  // onnxruntime's Tensor accepts the typed array of the declared type; float16 travels as Uint16Array bits.
  return new ort.Tensor(type as Ort.Tensor.Type, data as Ort.Tensor.DataType, dims);
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** One session over one model. Create with `OrtRunner.create`; call `release` when done. */
export class OrtRunner {
  private constructor(
    private readonly session: Ort.InferenceSession,
    readonly label: string,
  ) {}

  static async create(model: Model | Uint8Array, label: string, options: SessionOptions = {}): Promise<OrtRunner> {
    const bytes = model instanceof Uint8Array ? model : serializeModel(model);
    try {
      const session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: options.threads ?? defaultThreads(),
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: options.optimization ?? 'all',
        ...(options.quiet ? { logSeverityLevel: 4 as const } : {}),
      });
      return new OrtRunner(session, label);
    } catch (e) {
      throw new RuntimeError(`${label}: onnxruntime cannot load the model: ${firstLine((e as Error).message)}`);
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Record<string, Ort.Tensor>, fetches?: readonly string[]): Promise<Record<string, Ort.Tensor>> {
    try {
      return fetches ? await this.session.run(feeds, [...fetches]) : await this.session.run(feeds);
    } catch (e) {
      throw new RuntimeError(`${this.label}: onnxruntime failed to run the model: ${firstLine((e as Error).message)}`);
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}
