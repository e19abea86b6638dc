import { GradientRunner } from '../../autodiff/index.js';
import { OptionError } from '../../errors.js';
import { requireLayers } from '../../layers/discover.js';
import { loadModel } from '../../onnx/model.js';
import { classifierIO } from '../../runtime/classifier.js';
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
    'forward and backward in one onnxruntime session. Prints the loss and the L2 norm of each gradient.',
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
    const model = loadModel(paths.model);
    const layers = requireLayers(model, undefined, paths.model);
    const fixed = classifierIO(model, paths.model).input.shape?.[0];
    const count = Math.min(limit, data.count);
    if (typeof fixed === 'number' && fixed > 0 && fixed !== count) {
      throw new OptionError(`${paths.model} takes batches of exactly ${fixed} images; pass --limit ${fixed}`);
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
    let result;
    try {
      result = await runner.run(batch.images, data.sampleShape, batch.labels);
    } finally {
      await runner.release();
    }
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
    io.out(`data   ${data.description}, first ${count} images as one batch`);
    io.out(`loss   ${result.loss.toFixed(6)} (mean cross-entropy)`);
    io.out(renderTable(['name', 'shape', '>gradient L2 norm'], gradients.map((g) => [g.name, `[${g.shape.join(',')}]`, g.norm.toExponential(4)])));
  },
};
