/**
 * The single-op models that PyTorch's exporter wrote for the ONNX test suite
 * (Debian's libonnx-testdata, pytorch-converted/: opset 6 and 12), with their
 * recorded input: each model whose ops all have registry entries is lifted to
 * the gradient opset, its input made an initializer, and the gradient of
 * ⟨v, output⟩ w.r.t. the input and every float initializer (weights, biases,
 * BatchNorm statistics) is checked by central finite differences along a random
 * direction. Run in float64 (ε = 1e-6, tolerance 1e-7; measured ≤ 1e-8) where
 * onnxruntime has float64 kernels for the forward and backward ops, else in
 * float32 (ε = 1e-3, tolerance 3e-4; measured ≤ 4e-5: Conv, ConvTranspose,
 * AveragePool, Elu, Selu, Softplus). The error is relative to ‖g‖·‖u‖.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import protoModule from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { GRAD_RULES, upgradeOpset, type GradEntry } from '../../src/autodiff/index.js';
import { RuntimeError } from '../../src/errors.js';
import { decodeTensor } from '../../src/onnx/codec.js';
import type { Initializer, Model, Tensor } from '../../src/onnx/ir.js';
import { loadModel } from '../../src/onnx/model.js';
import { finiteDifferenceCheck, type FloatArray, type FloatType } from './helpers.js';

const ROOT = '/usr/share/libonnx-testdata/data/pytorch-converted';
const TOLERANCE = { float64: 1e-7, float32: 3e-4 } as const;

const folders = existsSync(ROOT) ? readdirSync(ROOT).sort() : [];
const registry = GRAD_RULES as Record<string, GradEntry | undefined>;

function uncovered(model: Model): string[] {
  return [...new Set(model.graph.nodes.map((n) => n.opType).filter((op) => registry[op] === undefined))];
}

function readInput(folder: string): Tensor {
  const bytes = readFileSync(join(ROOT, folder, 'test_data_set_0', 'input_0.pb'));
  return decodeTensor(protoModule.onnx.TensorProto.decode(bytes), `${folder}/input_0.pb`);
}

/** The model with its one runtime input turned into an initializer holding the recorded input. */
function withInputAsInitializer(model: Model, input: Tensor): Model {
  const runtime = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
  if (runtime.length !== 1) throw new Error(`expected one runtime input, found ${runtime.length}`);
  const name = (runtime[0] as { name: string }).name;
  const initializers = new Map(model.graph.initializers);
  initializers.set(name, { name, ...input });
  return {
    ...model,
    graph: { ...model.graph, initializers, inputs: [], outputs: model.graph.outputs.map((o) => ({ name: o.name, elemType: 0, shape: undefined })), valueInfo: [] },
  };
}

/** The same model computing in float64: float32 initializers and Constant tensors widened. */
function toFloat64(model: Model): Model {
  const widen = (t: Tensor): Tensor => (t.dataType === 'float32' ? { ...t, dataType: 'float64', data: Float64Array.from(t.data as Float32Array) } : t);
  const initializers = new Map([...model.graph.initializers].map(([k, v]) => [k, { ...widen(v), name: v.name } as Initializer]));
  const nodes = model.graph.nodes.map((n) => {
    const value = n.attributes.get('value');
    if (n.opType !== 'Constant' || value?.type !== 'tensor') return n;
    return { ...n, attributes: new Map([...n.attributes, ['value', { type: 'tensor' as const, value: widen(value.value) }]]) };
  });
  return { ...model, graph: { ...model.graph, initializers, nodes } };
}

/** Checks the gradients w.r.t. the float initializers named in `names` (the original ones and the input). */
async function check(model: Model, type: FloatType, names: ReadonlySet<string>): Promise<{ input: string; error: number; fd: number; analytic: number }[]> {
  const wrt = new Map<string, { dims: readonly number[]; data: FloatArray }>();
  for (const init of model.graph.initializers.values()) {
    if (init.dataType === type && names.has(init.name)) wrt.set(init.name, { dims: init.dims, data: init.data as FloatArray });
  }
  const outputs = model.graph.outputs.map((o) => o.name);
  return finiteDifferenceCheck(model, wrt, outputs, { type, epsilon: type === 'float64' ? 1e-6 : 1e-3 });
}

describe('libonnx-testdata pytorch-converted single-op models', () => {
  if (folders.length === 0) {
    it.skip(`${ROOT} is absent: install Debian's libonnx-testdata (.ci/run does) to run these checks`, () => {});
    return;
  }
  const candidates = folders.filter((f) => existsSync(join(ROOT, f, 'model.onnx')));

  it('covers most of the models', () => {
    const covered = candidates.filter((f) => uncovered(loadModel(join(ROOT, f, 'model.onnx'))).length === 0);
    expect(covered.length).toBeGreaterThanOrEqual(70);
  });

  it.each(candidates)('%s', async (folder) => {
    const original = loadModel(join(ROOT, folder, 'model.onnx'));
    const missing = uncovered(original);
    if (missing.length > 0) {
      console.log(`${folder}: skipped, no gradient rule for ${missing.join(', ')}`);
      return;
    }
    const lifted = withInputAsInitializer(upgradeOpset(original, undefined, folder), readInput(folder));
    const names = new Set([...original.graph.initializers.keys(), ...original.graph.inputs.map((v) => v.name)]);
    let type: FloatType = 'float64';
    let results;
    try {
      results = await check(toFloat64(lifted), 'float64', names);
    } catch (e) {
      if (!(e instanceof RuntimeError && /Could not find an implementation|NOT_IMPLEMENTED/.test(e.message))) throw e;
      type = 'float32';
      results = await check(lifted, 'float32', names);
    }
    expect(results.length).toBeGreaterThan(0);
    if (process.env['GRADCHECK_VERBOSE']) console.log(`${folder}: ${type}, ${results.map((r) => `${r.input} ${r.error.toExponential(1)}`).join(', ')}`);
    for (const r of results) {
      expect(r.error, `${folder} (${type}) / ${r.input}: fd ${r.fd}, analytic ${r.analytic}`).toBeLessThan(TOLERANCE[type]);
    }
  });
});
