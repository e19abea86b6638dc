import { evaluateFile } from '../../model/evaluate-file.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, openLabeledData, resolveModelAndData } from '../data-options.js';
import { formatPercent, json } from '../format.js';
import { createProgress } from '../progress.js';
import type { Command } from '../command.js';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'measure top-1 accuracy and cross-entropy loss of a classifier',
  usage: `${MODEL_DATA_USAGE} [--limit N] [--batch B] [--json]`,
  details: 'Runs the model with onnxruntime over the evaluation set. A float32 .npy is fed as is; declare any\n' +
    'preprocessing with --scale/--mean/--std. Without arguments, evaluates the bundled model on its bundled subset.',
  options: {
    ...DATA_OPTIONS,
    batch: { kind: 'integer', value: 'B', description: 'images per onnxruntime run', defaultText: '256' },
    threads: { kind: 'integer', value: 'T', description: 'onnxruntime threads', defaultText: 'all cores' },
    json: { kind: 'boolean', description: 'print JSON: {"accuracy","loss","count",...}' },
  },
  async run(options, io) {
    const paths = resolveModelAndData(options, 'eval');
    const data = await openLabeledData(paths, options);
    const progress = createProgress('eval');
    const threads = options.positiveInt('threads');
    const result = await evaluateFile(paths.model, data, {
      batchSize: options.positiveInt('batch', 256),
      ...(threads !== undefined ? { threads } : {}),
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.done();
    if (options.flag('json')) {
      io.out(json({ model: paths.model, data: data.description, ...result }));
      return;
    }
    io.out(`model     ${paths.model}`);
    io.out(`data      ${data.description}`);
    io.out(`accuracy  ${formatPercent(result.accuracy)} (${result.correct}/${result.count})`);
    io.out(`loss      ${result.loss === null ? 'not finite' : result.loss.toFixed(4)} (mean cross-entropy)`);
    io.out(`speed     ${Math.round(result.imagesPerSecond)} images/s (${result.seconds.toFixed(2)} s)`);
  },
};
