/**
 * One onnxruntime session whose layer weights (and biases) are graph inputs, so that a criterion can
 * run the model at any values of them without building a session per layer. Values not given in a
 * call are fed their stored values.
 */
import { ModelError } from '../errors.js';
import type { PreparedModel } from '../model/prepare.js';
import { initializersAsInputs, withOutputs } from '../onnx/edit.js';
import { imageTensor } from '../runtime/image-tensor.js';
import { makeTensor, OrtRunner, type OrtTensor, type SessionOptions } from '../runtime/session.js';

export class WeightedForward {
  private constructor(
    private readonly runner: OrtRunner,
    private readonly prepared: PreparedModel,
    private readonly stored: ReadonlyMap<string, { data: Float32Array; tensor: OrtTensor; dims: readonly number[] }>,
  ) {}

  /** The weights (and biases) of the prepared model's layers become inputs. */
  static async create(prepared: PreparedModel, options: SessionOptions = {}): Promise<WeightedForward> {
    const { model, io, layers, source } = prepared;
    const names = new Set<string>();
    for (const layer of layers) {
      names.add(layer.name);
      if (layer.bias) names.add(layer.bias);
    }
    const stored = new Map<string, { data: Float32Array; tensor: OrtTensor; dims: readonly number[] }>();
    for (const name of names) {
      const init = model.graph.initializers.get(name);
      if (!init || !(init.data instanceof Float32Array)) throw new ModelError(`${source}: initializer "${name}" is not float32`);
      stored.set(name, { data: init.data, tensor: makeTensor('float32', init.data, init.dims), dims: init.dims });
    }
    const open = withOutputs(initializersAsInputs(model, [...names]), [{ name: io.logits, elemType: 0, shape: undefined }]);
    const runner = await OrtRunner.create(open, source, options);
    return new WeightedForward(runner, prepared, stored);
  }

  /**
   * Logits (count × classes) of `count` samples, with `values` replacing stored weights or biases.
   * Models with a fixed batch size are run in padded chunks of that size.
   */
  async logits(images: Float32Array, count: number, values: ReadonlyMap<string, Float32Array> = new Map()): Promise<Float32Array> {
    const { io, fixedBatch, sampleShape, source } = this.prepared;
    const feeds: Record<string, OrtTensor> = {};
    for (const [name, s] of this.stored) {
      const v = values.get(name);
      if (v && v.length !== s.data.length) throw new ModelError(`${source}: replacement for "${name}" has ${v.length} values, expected ${s.data.length}`);
      feeds[name] = v ? makeTensor('float32', v, s.dims) : s.tensor;
    }
    for (const name of values.keys()) {
      if (!this.stored.has(name)) throw new ModelError(`${source}: "${name}" is not a weight or bias of a layer`);
    }
    const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
    const chunk = fixedBatch ?? count;
    let out: Float32Array | undefined;
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const rows = fixedBatch ?? n;
      feeds[io.input.name] = imageTensor(images.subarray(start * sampleSize, (start + n) * sampleSize), n, sampleShape, rows);
      const result = await this.runner.run(feeds, [io.logits]);
      const tensor = result[io.logits];
      if (!tensor || tensor.type !== 'float32' || tensor.dims.length !== 2 || tensor.dims[0] !== rows) {
        throw new ModelError(`${source}: output "${io.logits}" is not float32 logits [batch, classes]`);
      }
      const classes = tensor.dims[1] as number;
      out ??= new Float32Array(count * classes);
      out.set((tensor.data as Float32Array).subarray(0, n * classes), start * classes);
    }
    return out ?? new Float32Array(0);
  }

  async release(): Promise<void> {
    await this.runner.release();
  }
}
