/** GradientRunner: one onnxruntime session over a gradient graph, reused across runs. */
import { ModelError, OptionError } from '../errors.js';
import type { PreparedModel } from '../model/prepare.js';
import { makeTensor, OrtRunner, type OrtTensor } from '../runtime/session.js';
import { differentiableClassifier } from './differentiable.js';
import { buildGradientGraph, type GradientGraph, type GradientGraphOptions } from './gradient-graph.js';
import { verifyGradientShapes } from './verify.js';

export interface GradientRunnerOptions extends GradientGraphOptions {
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
  /** Check, on the first run, that every gradient has the shape and type of its value (debugging; costs one more session). */
  verify?: boolean;
}

export interface GradientResult {
  /** Mean cross-entropy over the batch. */
  loss: number;
  /** [N, classes] */
  logits: Float32Array;
  /** wrt initializer → dLoss/dw, in the initializer's layout. */
  gradients: Map<string, Float32Array>;
  /** The extra outputs asked for, by name. */
  extras: Map<string, Float32Array>;
}

/**
 * Computes the loss and its gradient w.r.t. chosen initializers for batches of images.
 *
 * @example
 * const prepared = await prepareModelFile('model.onnx');
 * const runner = await GradientRunner.create(prepared, { wrt: ['fc.weight'] });
 * const { loss, gradients } = await runner.run(images, labels);
 * await runner.release();
 */
export class GradientRunner {
  private verified: boolean;

  private constructor(
    private readonly prepared: PreparedModel,
    readonly graph: GradientGraph,
    private readonly session: OrtRunner,
    private readonly options: GradientRunnerOptions,
  ) {
    this.verified = !options.verify;
  }

  static async create(prepared: PreparedModel, options: GradientRunnerOptions): Promise<GradientRunner> {
    const graph = buildGradientGraph(await differentiableClassifier(prepared), options);
    const session = await OrtRunner.create(graph.model, `${prepared.source} (gradients)`, options.threads !== undefined ? { threads: options.threads } : {});
    return new GradientRunner(prepared, graph, session, options);
  }

  /**
   * One forward and backward pass over the batch. `weights` replaces wrt
   * initializers for this run (only with `weightsAsInputs`; others keep their values).
   */
  async run(images: Float32Array, labels: Int32Array, weights?: ReadonlyMap<string, Float32Array>): Promise<GradientResult> {
    const { graph, session } = this;
    const { sampleShape, source } = this.prepared;
    const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
    const count = labels.length;
    if (images.length !== count * sampleSize) {
      throw new OptionError(`${source}: ${images.length} image values for ${count} labels of ${sampleSize} values each`);
    }
    const feeds: Record<string, OrtTensor> = {
      [graph.input]: makeTensor('float32', images, [count, ...sampleShape]),
      [graph.labels]: makeTensor('int64', BigInt64Array.from(labels, (l) => BigInt(l)), [count]),
    };
    if (this.options.weightsAsInputs) {
      for (const w of this.options.wrt) {
        const init = this.prepared.model.graph.initializers.get(w);
        if (!init) throw new ModelError(`${source}: no initializer named "${w}"`);
        const values = weights?.get(w) ?? init.data;
        if (values.length !== init.data.length) throw new OptionError(`weights for "${w}": ${values.length} values, expected ${init.data.length}`);
        feeds[w] = makeTensor(init.dataType, values, init.dims);
      }
    } else if (weights && weights.size > 0) {
      throw new OptionError('weights can only be replaced at run time with weightsAsInputs: true');
    }
    if (!this.verified) {
      await verifyGradientShapes(graph.model, graph.contributions, feeds, source);
      this.verified = true;
    }
    const extras = this.options.extraOutputs ?? [];
    const fetches = [graph.loss, graph.logits, ...graph.gradients.values(), ...extras];
    const out = await session.run(feeds, fetches);
    const data = (name: string): Float32Array => {
      const t = out[name];
      if (!t || !(t.data instanceof Float32Array)) throw new ModelError(`${source}: output "${name}" is ${t?.type ?? 'missing'}, expected float32`);
      return t.data;
    };
    const gradients = new Map<string, Float32Array>();
    for (const [w, name] of graph.gradients) gradients.set(w, data(name));
    return {
      loss: data(graph.loss)[0] as number,
      logits: data(graph.logits),
      gradients,
      extras: new Map(extras.map((e) => [e, data(e)])),
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
