import { GradientRunner } from '../../autodiff/index.js';
import { OptionError } from '../../errors.js';
import { requireLayers } from '../../layers/discover.js';
import { loadModel } from '../../onnx/model.js';
import { classifierIO } from '../../runtime/classifier.js';
import { freeBatchAxis } from '../../model/free-batch.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, openLabeledData, resolveModelAndData } from '../data-options.js';
import { json, renderTable } from '../format.js';
import type { Command } from '../command.js';

const DEFAULT_LIMIT = 256;

export const grad: Command = {
  name: 'grad',
  summary: 'gradient of the loss with respect to every weight and bias',
  usage: `${MODEL_DATA_USAGE} [--limit N] [--json]`,
  details: 'Computes the mean cross-entropy over the first N images (default 256, or all if fewer) as one batch and its\n' +
    'gradient with respect to the weight and bias of every layer, by differentiating the ONNX graph and running\n' +
    'forward and backward in one onnxruntime session. Prints the loss and the L2 norm of each gradient.\n' +
    'A model exported with a fixed batch size B runs in batches of B over the largest multiple of B images\n' +
    'that fits, and the loss and gradients are their means.',
  options: {
    ...DATA_OPTIONS,
    limit: { kind: 'integer', value: 'N', description: 'use the first N images as one batch', defaultText: `${DEFAULT_LIMIT}, or all if fewer` },
    threads: { kind: 'integer', value: 'T', description: 'onnxruntime threads', defaultText: 'all cores' },
    json: { kind: 'boolean', description: 'print JSON: {"loss","count","gradients":[{"name","shape","norm"}]}' },
  },
  async run(options, io) {
    const paths = resolveModelAndData(options, 'grad');
    const limit = options.positiveInt('limit', DEFAULT_LIMIT);
    const data = await openLabeledData(paths, options);
    const model = (await freeBatchAxis(loadModel(paths.model), data.sampleShape, paths.model)).model;
    const layers = requireLayers(model, undefined, paths.model);
    const fixed = classifierIO(model, paths.model).input.shape?.[0];
    // A model exported with a fixed batch size runs in chunks of exactly that size; the mean over
    // equal chunks of their mean losses (and gradients) is the mean over all of them.
    const available = Math.min(limit, data.count);
    const chunk = typeof fixed === 'number' && fixed > 0 ? fixed : available;
    const count = available - (available % chunk);
    if (count === 0) {
      throw new OptionError(`${paths.model} takes batches of exactly ${chunk} images, but ${data.description} gives only ${available}; pass more images (--limit ${chunk})`);
    }
    let batch: { images: Float32Array; labels: Int32Array } | undefined;
    for await (const b of data.batches(count)) {
      batch = b;
      break;
    }
    if (!batch) throw new OptionError(`${data.description}: no images`);
    const wrt = layers.flatMap((l) => (l.bias ? [l.name, l.bias] : [l.name]));
    const threads = options.positiveInt('threads');
    const runner = await GradientRunner.create(model, {
      wrt,
      source: paths.model,
      sampleShape: data.sampleShape,
      ...(threads !== undefined ? { threads } : {}),
    });
    const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
    const sums = new Map(wrt.map((name) => [name, new Float64Array(model.graph.initializers.get(name)?.data.length ?? 0)]));
    let lossSum = 0;
    try {
      for (let start = 0; start < count; start += chunk) {
        const part = await runner.run(
          batch.images.subarray(start * sampleSize, (start + chunk) * sampleSize),
          data.sampleShape,
          batch.labels.subarray(start, start + chunk),
        );
        lossSum += part.loss;
        for (const [name, sum] of sums) {
          const g = part.gradients.get(name);
          if (g) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (g[i] as number);
        }
      }
    } finally {
      await runner.release();
    }
    const chunks = count / chunk;
    const result = { loss: lossSum / chunks, gradients: new Map([...sums].map(([name, sum]) => [name, Float32Array.from(sum, (v) => v / chunks)])) };
    const gradients = wrt.map((name) => {
      const g = result.gradients.get(name) ?? new Float32Array(0);
      let sum = 0;
      for (const v of g) sum += v * v;
      return { name, shape: [...(model.graph.initializers.get(name)?.dims ?? [])], norm: Math.sqrt(sum) };
    });
    if (options.flag('json')) {
      io.out(json({ model: paths.model, data: data.description, count, loss: result.loss, gradients }));
      return;
    }
    io.out(`model  ${paths.model}`);
    io.out(`data   ${data.description}, first ${count} images as ${chunks === 1 ? 'one batch' : `${chunks} batches of ${chunk} (the model's fixed batch size)`}`);
    io.out(`loss   ${result.loss.toFixed(6)} (mean cross-entropy)`);
    io.out(renderTable(['name', 'shape', '>gradient L2 norm'], gradients.map((g) => [g.name, `[${g.shape.join(',')}]`, g.norm.toExponential(4)])));
  },
};
