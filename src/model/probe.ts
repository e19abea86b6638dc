/**
 * Shapes and element types of every value, measured by one run of the model
 * with all intermediate values exposed as outputs (general, and exact for
 * whatever the exporter emitted).
 */
import { ModelError } from '../errors.js';
import { withOutputs } from '../onnx/edit.js';
import type { Model } from '../onnx/ir.js';
import { classifierIO } from '../runtime/classifier.js';
import { fixedBatchError } from './free-batch.js';
import { makeTensor, OrtRunner } from '../runtime/session.js';

export interface ValueShape {
  readonly type: string;
  readonly dims: readonly number[];
}

/** Resolves the sample shape from the model input if every non-batch dim is fixed. */
export function staticSampleShape(model: Model): number[] | undefined {
  const shape = classifierIO(model).input.shape;
  if (!shape) return undefined;
  const rest = shape.slice(1);
  return rest.every((d): d is number => typeof d === 'number' && d > 0) ? rest : undefined;
}

/** Runs the model once on deterministic pseudo-random input of `batch` samples. */
export async function probeShapes(model: Model, sampleShape: readonly number[], batch = 1, source = 'model'): Promise<Map<string, ValueShape>> {
  const io = classifierIO(model, source);
  const declared = io.input.shape?.[0];
  if (typeof declared === 'number' && declared > 0 && declared !== batch) {
    throw fixedBatchError(source, declared);
  }
  const values = new Set<string>();
  for (const node of model.graph.nodes) for (const out of node.outputs) if (out !== '') values.add(out);
  const probeModel = withOutputs(model, [...values].map((name) => ({ name, elemType: 0, shape: undefined })));
  const runner = await OrtRunner.create(probeModel, `${source} (shape probe)`, { threads: 1, optimization: 'disabled' });
  try {
    const size = batch * sampleShape.reduce((a, b) => a * b, 1);
    const input = new Float32Array(size);
    let state = 12345;
    for (let i = 0; i < size; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      input[i] = state / 2 ** 32;
    }
    const out = await runner.run({ [io.input.name]: makeTensor('float32', input, [batch, ...sampleShape]) });
    const shapes = new Map<string, ValueShape>();
    for (const [name, tensor] of Object.entries(out)) shapes.set(name, { type: tensor.type, dims: [...tensor.dims] });
    for (const name of values) {
      if (!shapes.has(name)) throw new ModelError(`${source}: the shape probe did not return value "${name}"`);
    }
    return shapes;
  } finally {
    await runner.release();
  }
}
