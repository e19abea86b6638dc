import { UsageError } from '../../errors.js';
import { inspectModel } from '../../model/inspect.js';
import { defineCommand } from '../command.js';
import { OUTPUT_OPTIONS } from '../data-options.js';
import { BUNDLED } from '../defaults.js';
import { formatCount, json, renderTable } from '../format.js';

export const inspect = defineCommand({
  name: 'inspect',
  summary: 'list the weight layers of an ONNX model',
  usage: '[model.onnx] [--json]',
  details: 'Lists every Conv, ConvTranspose, Gemm and MatMul whose weight is an initializer (also behind Identity or\n' +
    'Transpose nodes), every embedding table (Gather) and the W and R weights of LSTM, GRU and RNN nodes, in topological\n' +
    'order, with its node, weight shape, parameters, FLOPs per sample and output-channel axis, and how many parameters\n' +
    'sit outside these layers (BatchNormalization, LayerNorm, recurrent biases, ...), which safer does not assess.\n' +
    'Without a model, inspects the bundled default. JSON: {"layers":[{"name","op","shape","params","flops","index",...}]}.',
  examples: ['safer inspect zoo/models/resnet20/model.onnx', 'safer inspect model.onnx --input-shape 3,224,224 --json'],
  options: {
    ...OUTPUT_OPTIONS,
    'input-shape': { kind: 'list', value: 'C,H,W', description: 'sample shape for FLOPs when the model input has symbolic dims' },
  },
  async run({ options, positional, io }) {
    const [model = BUNDLED.model, ...extra] = positional;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" for "safer inspect"`);
    const shape = options['input-shape']?.map((s) => {
      const v = Number(s);
      if (!Number.isInteger(v) || v < 1) throw new UsageError(`--input-shape must be positive integers like 1,28,28, got "${s}"`);
      return v;
    });
    const report = await inspectModel(model, shape ? { sampleShape: shape } : {});
    if (options.json) {
      io.out(json(report));
      return;
    }
    const rows = report.layers.map((l) => [
      String(l.index), l.name, l.node === l.name ? '' : l.node, l.op, `[${l.shape.join(',')}]`, formatCount(l.params), formatCount(l.flops),
      String(l.channelAxis), l.bias ?? '-',
    ]);
    io.out(`${model}: ${report.layers.length} weight layers, ${formatCount(report.params)} parameters, ` +
      `${formatCount(report.flops)} FLOPs per sample (opset ${report.opset}, input ${report.input})`);
    io.out(renderTable(['>#', 'layer', 'node', 'op', 'weight shape', '>params', '>FLOPs', '>ch.axis', 'bias'], rows));
    const { total, byOp } = report.otherParams;
    io.out(total === 0
      ? 'every parameter belongs to a weight layer'
      : `${formatCount(total)} more parameters are not in a weight layer, so safer does not assess them: ` +
        Object.entries(byOp).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${formatCount(n)} read by ${op}`).join(', '));
    if (report.flops === null) io.out('FLOPs unknown: the input has symbolic dims; pass --input-shape C,H,W');
  },
});
