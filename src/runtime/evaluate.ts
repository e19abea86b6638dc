/** Top-1 accuracy, mean cross-entropy and (on request) logits of a classifier over a data set. */
import { ModelError, OptionError } from '../errors.js';
import { withOutputs } from '../onnx/edit.js';
import type { Model } from '../onnx/ir.js';
import type { ClassifierIO } from './classifier.js';
import { imageTensor } from './image-tensor.js';
import { accumulate, argmaxRow, emptyTotals, referenceRows, type ClassificationTotals, type ReferenceRows } from './metrics.js';
import { OrtRunner, type OrtTensor, type SessionOptions } from './session.js';

/** What evaluation needs of a prepared model (model/prepare.ts): the graph, its classifier io, its fixed batch size if any. */
export interface Evaluable {
  readonly model: Model;
  readonly io: ClassifierIO;
  readonly fixedBatch: number | undefined;
  readonly sampleShape: readonly number[];
  readonly source: string;
}

/** What evaluation needs from a data set (structurally the `EvalData` of src/data). */
export interface LabeledBatches {
  readonly count: number;
  readonly sampleShape: readonly number[];
  readonly description: string;
  batches(batchSize: number, options?: { start?: number; end?: number }): AsyncGenerator<{
    start: number;
    count: number;
    images: Float32Array;
    labels: Int32Array;
  }>;
}

/** Images per onnxruntime run of `evaluate` unless told otherwise. */
export const DEFAULT_EVAL_BATCH = 256;

export interface EvaluateOptions {
  /** Images per onnxruntime run (default DEFAULT_EVAL_BATCH; forced to the model's batch size if it is fixed). */
  batchSize?: number;
  /** Keep all logits in the result (count × classes, float32). */
  keepLogits?: boolean;
  /** Logits of a reference run (count × classes): enables KL divergence and agreement. */
  reference?: Float32Array;
  /** Called after every batch with the number of images done so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called after every batch with the values named in `Evaluator.create(..., alsoFetch)`, computed in
   * the same run (for a model with a fixed batch size they include the padding rows).
   */
  onFetched?: (batch: { start: number; count: number; images: Float32Array; labels: Int32Array }, fetched: ReadonlyMap<string, OrtTensor>) => void;
}

export interface EvaluationResult {
  accuracy: number;
  /** Mean cross-entropy; NaN/Infinity possible after destructive perturbations. */
  loss: number;
  count: number;
  correct: number;
  classes: number;
  seconds: number;
  imagesPerSecond: number;
  /** Mean D_KL(p ‖ p_reference), if a reference was given. */
  kl?: number;
  /** Fraction of predictions equal to the reference's, if a reference was given. */
  unchanged?: number;
  logits?: Float32Array;
  /** Per sample, 1 if the top-1 prediction equals the label (with keepLogits). */
  correctness?: Uint8Array;
}

/** A reusable session that evaluates one classifier; create with `Evaluator.create`. */
export class Evaluator {
  private constructor(
    private readonly runner: OrtRunner,
    private readonly target: Evaluable,
    private readonly alsoFetch: readonly string[],
  ) {}

  /** `alsoFetch`: intermediate values to compute alongside the logits, handed to `onFetched`. */
  static async create(target: Evaluable, options: SessionOptions = {}, alsoFetch: readonly string[] = []): Promise<Evaluator> {
    const { io, source } = target;
    if (io.input.elemType !== 1 && io.input.elemType !== 0) {
      throw new ModelError(`${source}: input "${io.input.name}" has element type ${io.input.elemType}; safer feeds float32 images`);
    }
    const outputs = [io.logits, ...alsoFetch.filter((name) => name !== io.logits)];
    const logitsModel = withOutputs(target.model, outputs.map((name) => ({ name, elemType: 0, shape: undefined })));
    const runner = await OrtRunner.create(logitsModel, source, options);
    return new Evaluator(runner, target, outputs.slice(1));
  }

  async evaluate(data: LabeledBatches, options: EvaluateOptions = {}): Promise<EvaluationResult> {
    const { fixedBatch, sampleShape, source } = this.target;
    if (data.sampleShape.join() !== sampleShape.join()) {
      throw new ModelError(`${data.description}: samples have shape [${data.sampleShape.join(', ')}], but ${source} was prepared for [${sampleShape.join(', ')}]`);
    }
    const batchSize = fixedBatch ?? options.batchSize ?? DEFAULT_EVAL_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError(`batch size must be a positive integer, got ${batchSize}`);
    const started = performance.now();
    const totals: ClassificationTotals = emptyTotals();
    let classes = 0;
    let kept: Float32Array | undefined;
    let correctness: Uint8Array | undefined;
    let reference: ReferenceRows | undefined;
    for await (const batch of data.batches(batchSize)) {
      const { logits, fetched } = await this.runBatch(batch.images, batch.count);
      classes = logits.length / batch.count;
      checkLabels(batch.labels, batch.start, classes, data.description);
      if (options.reference && options.reference.length !== data.count * classes) {
        throw new OptionError(`reference logits have ${options.reference.length} values, expected ${data.count} × ${classes}`);
      }
      reference ??= options.reference ? referenceRows(options.reference, classes) : undefined;
      accumulate(totals, logits, batch.labels, classes, reference, batch.start);
      if (options.keepLogits) {
        kept ??= new Float32Array(data.count * classes);
        kept.set(logits, batch.start * classes);
        correctness ??= new Uint8Array(data.count);
        for (let i = 0; i < batch.count; i++) {
          correctness[batch.start + i] = argmaxRow(logits, i * classes, classes) === batch.labels[i] ? 1 : 0;
        }
      }
      options.onFetched?.(batch, fetched);
      options.onProgress?.(totals.count, data.count);
    }
    const seconds = (performance.now() - started) / 1000;
    const result: EvaluationResult = {
      accuracy: totals.count > 0 ? totals.correct / totals.count : 0,
      loss: totals.count > 0 ? totals.lossSum / totals.count : NaN,
      count: totals.count,
      correct: totals.correct,
      classes,
      seconds,
      imagesPerSecond: totals.count / Math.max(seconds, 1e-9),
    };
    if (options.reference) {
      result.kl = totals.klSum / totals.count;
      result.unchanged = totals.unchanged / totals.count;
    }
    if (kept) result.logits = kept;
    if (correctness) result.correctness = correctness;
    return result;
  }

  /** Runs one batch; pads it to a fixed batch size if the model demands one. */
  private async runBatch(images: Float32Array, count: number): Promise<{ logits: Float32Array; fetched: Map<string, OrtTensor> }> {
    const { io, fixedBatch, sampleShape, source } = this.target;
    const rows = fixedBatch ?? count;
    const out = await this.runner.run({ [io.input.name]: imageTensor(images, count, sampleShape, rows) }, [io.logits, ...this.alsoFetch]);
    const tensor = out[io.logits];
    if (!tensor || tensor.type !== 'float32') {
      throw new ModelError(`${source}: output "${io.logits}" is ${tensor?.type ?? 'missing'}; expected float32 logits`);
    }
    if (tensor.dims.length !== 2 || tensor.dims[0] !== rows) {
      throw new ModelError(`${source}: output "${io.logits}" has shape [${tensor.dims.join(', ')}]; expected [batch, classes]`);
    }
    const data = tensor.data as Float32Array;
    const fetched = new Map(this.alsoFetch.map((name) => [name, out[name] as OrtTensor]));
    return { logits: data.subarray(0, count * (tensor.dims[1] as number)), fetched };
  }

  async release(): Promise<void> {
    await this.runner.release();
  }
}

/** Every label must name one of the model's classes: the one check, with the one message. */
export function checkLabels(labels: Int32Array, start: number, classes: number, source: string): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label < 0 || label >= classes) {
      throw new OptionError(`${source}: label ${label} of sample ${start + i} is outside the model's ${classes} classes (0..${classes - 1})`);
    }
  }
}

/** Evaluates a prepared model once (creates and releases its session). */
export async function evaluateModel(target: Evaluable, data: LabeledBatches, options: EvaluateOptions & SessionOptions = {}): Promise<EvaluationResult> {
  const sessionOptions: SessionOptions = {};
  if (options.threads !== undefined) sessionOptions.threads = options.threads;
  const evaluator = await Evaluator.create(target, sessionOptions);
  try {
    return await evaluator.evaluate(data, options);
  } finally {
    await evaluator.release();
  }
}
