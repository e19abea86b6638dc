/** Finds what makes an ONNX model a classifier for safer: one data input and a logits output. */
import { ModelError } from '../errors.js';
import { attrInt } from '../onnx/attrs.js';
import { GraphIndex } from '../onnx/graph.js';
import { runtimeInputs, type Dim, type Model, type ValueInfo } from '../onnx/ir.js';

export interface ClassifierIO {
  /** The one input fed with images. */
  readonly input: ValueInfo;
  /** The value holding the logits (the input of a final Softmax, if the model ends in one). */
  readonly logits: string;
  /** The graph output the logits were found from. */
  readonly output: string;
}

export function classifierIO(model: Model, source = 'model'): ClassifierIO {
  const inputs = runtimeInputs(model.graph);
  if (inputs.length !== 1) {
    const names = inputs.map((v) => `"${v.name}"`).join(', ');
    throw new ModelError(`${source}: has ${inputs.length} inputs (${names}); safer needs a classifier with exactly one input`);
  }
  const output = model.graph.outputs[0];
  if (!output) throw new ModelError(`${source}: has no outputs`);
  return { input: inputs[0] as ValueInfo, logits: logitsBehindSoftmax(model, output.name), output: output.name };
}

/** Walks back through Identity and a last-axis Softmax/LogSoftmax to the logits. */
function logitsBehindSoftmax(model: Model, output: string): string {
  const index = new GraphIndex(model.graph);
  let value = output;
  for (let node = index.producer(value); node; node = index.producer(value)) {
    if (node.opType === 'Identity') {
      value = node.inputs[0] ?? value;
      continue;
    }
    if ((node.opType === 'Softmax' || node.opType === 'LogSoftmax') && isLastAxis(attrInt(node, 'axis', -1))) {
      return node.inputs[0] ?? value;
    }
    break;
  }
  return value;
}

function isLastAxis(axis: number): boolean {
  // For 2-D logits [N, classes] both -1 and 1 are the class axis.
  return axis === -1 || axis === 1;
}

/** Checks a sample shape against the model input; returns the fixed batch size if the model has one. */
export function checkSampleShape(input: ValueInfo, sampleShape: readonly number[], dataSource: string, modelSource: string): number | undefined {
  const shape = input.shape;
  if (!shape) return undefined;
  const [batch, ...rest] = shape;
  const fits = rest.length === sampleShape.length && rest.every((d, i) => typeof d !== 'number' || d === sampleShape[i]);
  if (!fits) {
    throw new ModelError(
      `${dataSource}: samples have shape [${sampleShape.join(', ')}], but input "${input.name}" of ${modelSource} expects ${formatShape(shape)}` +
        ` (the first axis is the batch); ${layoutHint(sampleShape, rest) ?? 'check the data layout (NCHW/NHWC) or preprocessing'}`,
    );
  }
  return typeof batch === 'number' && batch > 0 ? batch : undefined;
}

/** Which options fix samples that are the model's input in the other layout, if they are. */
function layoutHint(sample: readonly number[], input: readonly Dim[]): string | undefined {
  if (sample.length !== 3 || input.length !== 3) return undefined;
  const [a, b, c] = sample as [number, number, number];
  const same = (dims: readonly number[]): boolean => dims.every((d, i) => typeof input[i] !== 'number' || input[i] === d);
  if (same([c, a, b])) return `[${a}, ${b}, ${c}] looks like NHWC and the model takes NCHW: pass --data-layout NHWC to transpose the samples`;
  if (same([b, c, a])) return `[${a}, ${b}, ${c}] looks like NCHW and the model takes NHWC: pass --layout NHWC --data-layout NCHW to transpose the samples`;
  return undefined;
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
