/** GradientRunner: one onnxruntime session over a gradient graph, reused across runs. */
import { ModelError, OptionError } from '../errors.js';
import type { Model } from '../onnx/ir.js';
import { staticSampleShape } from '../model/probe.js';
import { makeTensor, OrtRunner, type OrtTensor } from '../runtime/session.js';
import { buildGradientGraph, type GradientGraph, type GradientGraphOptions } from './gradient-graph.js';
import { prepareClassifier } from './prepare.js';
import { verifyGradientShapes } from './verify.js';

export interface GradientRunnerOptions extends GradientGraphOptions {
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
  /** Name of the model in messages. */
  source?: string;
  /** Shape of one sample; if omitted, taken from the model input or from the first run. */
  sampleShape?: readonly number[];
  /** Check, on the first run of each gradient graph, that every gradient has the shape and type of its value (debugging; costs one more session). */
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

interface Built {
  readonly key: string;
  readonly graph: GradientGraph;
  readonly session: OrtRunner;
  verified: boolean;
}

/**
 * Computes the loss and its gradient w.r.t. chosen initializers for batches of images.
 *
 * @example
 * const runner = await GradientRunner.create(loadModel('model.onnx'), { wrt: ['fc.weight'] });
 * const { loss, gradients } = await runner.run(images, [1, 28, 28], labels);
 * await runner.release();
 */
export class GradientRunner {
  private built: Built | undefined;

  private constructor(
    private readonly model: Model,
    private readonly options: GradientRunnerOptions,
    private readonly source: string,
  ) {}

  static async create(model: Model, options: GradientRunnerOptions): Promise<GradientRunner> {
    const runner = new GradientRunner(model, options, options.source ?? 'model');
    const sampleShape = options.sampleShape ?? staticSampleShape(model);
    if (sampleShape) await runner.prepare(sampleShape);
    return runner;
  }

  /** The gradient graph for samples of this shape (built on first use). */
  async graphFor(sampleShape: readonly number[]): Promise<GradientGraph> {
    return (await this.prepare(sampleShape)).graph;
  }

  private async prepare(sampleShape: readonly number[]): Promise<Built> {
    const key = sampleShape.join('x');
    if (this.built?.key === key) return this.built;
    if (this.built) {
      await this.built.session.release();
      this.built = undefined;
    }
    const prepared = await prepareClassifier(this.model, sampleShape, this.source);
    const graph = buildGradientGraph(prepared, this.options);
    const session = await OrtRunner.create(graph.model, `${this.source} (gradients)`, this.options.threads !== undefined ? { threads: this.options.threads } : {});
    this.built = { key, graph, session, verified: !this.options.verify };
    return this.built;
  }

  /**
   * One forward and backward pass over the batch. `weights` replaces wrt
   * initializers for this run (only with `weightsAsInputs`; others keep their values).
   */
  async run(images: Float32Array, sampleShape: readonly number[], labels: Int32Array, weights?: ReadonlyMap<string, Float32Array>): Promise<GradientResult> {
    const built = await this.prepare(sampleShape);
    const { graph, session } = built;
    const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
    const count = labels.length;
    if (images.length !== count * sampleSize) {
      throw new OptionError(`${this.source}: ${images.length} image values for ${count} labels of ${sampleSize} values each`);
    }
    const feeds: Record<string, OrtTensor> = {
      [graph.input]: makeTensor('float32', images, [count, ...sampleShape]),
      [graph.labels]: makeTensor('int64', BigInt64Array.from(labels, (l) => BigInt(l)), [count]),
    };
    if (this.options.weightsAsInputs) {
      for (const w of this.options.wrt) {
        const init = this.model.graph.initializers.get(w);
        if (!init) throw new ModelError(`${this.source}: no initializer named "${w}"`);
        const values = weights?.get(w) ?? init.data;
        if (values.length !== init.data.length) throw new OptionError(`weights for "${w}": ${values.length} values, expected ${init.data.length}`);
        feeds[w] = makeTensor(init.dataType, values, init.dims);
      }
    } else if (weights && weights.size > 0) {
      throw new OptionError('weights can only be replaced at run time with weightsAsInputs: true');
    }
    if (!built.verified) {
      await verifyGradientShapes(graph.model, graph.contributions, feeds, this.source);
      built.verified = true;
    }
    const extras = this.options.extraOutputs ?? [];
    const fetches = [graph.loss, graph.logits, ...graph.gradients.values(), ...extras];
    const out = await session.run(feeds, fetches);
    const data = (name: string): Float32Array => {
      const t = out[name];
      if (!t || !(t.data instanceof Float32Array)) throw new ModelError(`${this.source}: output "${name}" is ${t?.type ?? 'missing'}, expected float32`);
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
    await this.built?.session.release();
    this.built = undefined;
  }
}
