import { evaluateFile } from '../../model/evaluate-file.js';
import { DEFAULT_EVAL_BATCH } from '../../runtime/evaluate.js';
import { defineCommand } from '../command.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, noteWriter, openLabeledData, OUTPUT_OPTIONS, resolveModelAndData, THREADS_OPTION } from '../data-options.js';
import { formatPercent, json } from '../format.js';

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'measure top-1 accuracy and cross-entropy loss of a classifier',
  usage: `${MODEL_DATA_USAGE} [--limit N] [--batch B] [--json]`,
  details: 'Runs the model with onnxruntime over the evaluation set. A float32 .npy is fed as is; declare any\n' +
    'preprocessing with --scale/--mean/--std. Without arguments, evaluates the bundled model on its bundled subset.\n' +
    'JSON: {"accuracy","loss","count","correct","classes","seconds","imagesPerSecond"}.',
  examples: [
    'safer eval',
    'safer eval model.onnx --data /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz --labels /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --scale 0.00392156862745098',
  ],
  options: {
    ...DATA_OPTIONS,
    batch: { kind: 'integer', value: 'B', description: 'images per onnxruntime run', default: DEFAULT_EVAL_BATCH, min: 1 },
    ...THREADS_OPTION,
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, io, progress }) {
    const paths = resolveModelAndData(positional, options, 'eval');
    const data = await openLabeledData(paths, options, noteWriter(options, io.err));
    const bar = progress('eval');
    const result = await evaluateFile(paths.model, data, {
      batchSize: options.batch,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.done();
    if (options.json) {
      io.out(json({ model: paths.model, data: data.description, ...result }));
      return;
    }
    io.out(`model     ${paths.model}`);
    io.out(`data      ${data.description}`);
    io.out(`accuracy  ${formatPercent(result.accuracy)} (${result.correct}/${result.count})`);
    io.out(`loss      ${result.loss === null ? 'not finite' : result.loss.toFixed(4)} (mean cross-entropy)`);
    io.out(`speed     ${Math.round(result.imagesPerSecond)} images/s (${result.seconds.toFixed(2)} s)`);
  },
});
