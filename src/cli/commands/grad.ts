import { loadSamples } from '../../runtime/memory-batches.js';
import { CalibrationGradients } from '../../criteria/gradients.js';
import { OptionError } from '../../errors.js';
import { GRAD_RULES } from '../../autodiff/index.js';
import { prepareModelFile } from '../../model/prepare.js';
import { defineCommand } from '../command.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, noteWriter, openLabeledData, OUTPUT_OPTIONS, resolveModelAndData, THREADS_OPTION } from '../data-options.js';
import { json, renderTable } from '../format.js';

export const grad = defineCommand({
  name: 'grad',
  summary: 'gradient of the loss with respect to every weight and bias',
  usage: `${MODEL_DATA_USAGE} [--limit N] [--json]`,
  details: 'Computes the mean cross-entropy over the first N images (default 256, or all if fewer) as one batch and its\n' +
    'gradient with respect to the weight and bias of every layer, by differentiating the ONNX graph and running\n' +
    'forward and backward in one onnxruntime session. Prints the loss and the L2 norm of each gradient.\n' +
    'A model exported with a fixed batch size B runs in batches of B over the largest multiple of B images\n' +
    'that fits, and the loss and gradients are their means. JSON: {"loss","count","gradients":[{"name","shape","norm"}]}.\n' +
    `Ops with a gradient rule: ${Object.keys(GRAD_RULES).sort().join(', ')}.`,
  examples: ['safer grad', 'safer grad model.onnx --data images.npy --labels labels.npy --limit 64 --json'],
  options: {
    ...DATA_OPTIONS,
    limit: { kind: 'integer', value: 'N', description: 'use the first N images as one batch (all if fewer)', default: 256, min: 1 },
    ...THREADS_OPTION,
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, io }) {
    const paths = resolveModelAndData(positional, options, 'grad');
    const { limit } = options;
    const data = await openLabeledData(paths, options, noteWriter(options, io.err));
    const prepared = await prepareModelFile(paths.model, { sampleShape: data.sampleShape, samples: data.description });
    // A model with a fixed batch size runs in chunks of exactly that size; the mean over equal chunks
    // of their mean losses (and gradients) is the mean over all of them.
    const available = Math.min(limit, data.count);
    const chunk = prepared.fixedBatch ?? available;
    const count = available - (available % chunk);
    if (count === 0) {
      throw new OptionError(`${paths.model} takes batches of exactly ${chunk} images, but ${data.description} gives only ${available}; pass more images (--limit ${chunk})`);
    }
    const batch = await loadSamples(data, count);
    const { threads } = options;
    const gradients = await CalibrationGradients.create(prepared, batch, { ...(threads !== undefined ? { threads } : {}), data: data.description });
    let result;
    try {
      result = await gradients.at(undefined, chunk);
    } finally {
      await gradients.release();
    }
    const wrt = prepared.layers.flatMap((l) => (l.bias ? [l.name, l.bias] : [l.name]));
    const norms = wrt.map((name) => {
      const g = result.gradients.get(name) ?? new Float32Array(0);
      let sum = 0;
      for (const v of g) sum += v * v;
      return { name, shape: [...(prepared.model.graph.initializers.get(name)?.dims ?? [])], norm: Math.sqrt(sum) };
    });
    const chunks = count / chunk;
    if (options.json) {
      io.out(json({ model: paths.model, data: data.description, count, loss: result.loss, gradients: norms }));
      return;
    }
    io.out(`model  ${paths.model}`);
    io.out(`data   ${data.description}, first ${count} images as ${chunks === 1 ? 'one batch' : `${chunks} batches of ${chunk} (the model's fixed batch size)`}`);
    io.out(`loss   ${result.loss.toFixed(6)} (mean cross-entropy)`);
    io.out(renderTable(['name', 'shape', '>gradient L2 norm'], norms.map((g) => [g.name, `[${g.shape.join(',')}]`, g.norm.toExponential(4)])));
  },
});
