/**
 * Composition (micrograd's test_more_ops): a tiny graph where a value fans
 * out (a residual Add) and one weight is used by two MatMuls, so gradients
 * must be summed; plus the loss head, batch sizes, and paths without rules.
 */
import { describe, expect, it } from 'vitest';
import { buildGradientGraph, differentiableClassifier, GradientRunner } from '../../src/autodiff/index.js';
import { NotDifferentiableError, UnsupportedOpError } from '../../src/errors.js';
import type { Initializer, Model, Node } from '../../src/onnx/ir.js';
import { prepareTest } from '../helpers/models.js';
import { finiteDifferenceCheck, rng, uniform, type FloatArray } from './helpers.js';

function node(opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = new Map()): Node {
  return { name: `${opType}_${outputs[0]}`, opType, domain: '', inputs, outputs, attributes };
}

function tensor(name: string, dims: number[], type: 'float32' | 'float64', seed: number): Initializer {
  const values = uniform()(dims.reduce((p, d) => p * d, 1), rng(seed));
  return { name, dataType: type, dims, data: type === 'float64' ? Float64Array.from(values) : Float32Array.from(values) };
}

/**
 * logits = Gemm(h2 + h1, W2, b) with h1 = X·W, h2 = relu(h1)·W: W is used twice
 * and h1 feeds both the second MatMul (through Relu) and the residual Add.
 */
function residualModel(type: 'float32' | 'float64', inputAsInitializer: boolean, extra: Node[] = []): Model {
  const inits = [tensor('W', [4, 4], type, 1), tensor('W2', [4, 3], type, 2), tensor('b', [3], type, 3)];
  if (inputAsInitializer) inits.push(tensor('X', [2, 4], type, 4));
  return {
    irVersion: 8,
    opsets: new Map([['', 13]]),
    producerName: 'test',
    producerVersion: '0',
    passthrough: {},
    graph: {
      name: 'residual',
      nodes: [
        ...extra,
        node('MatMul', [extra.length > 0 ? 'Xs' : 'X', 'W'], ['h1']),
        node('Relu', ['h1'], ['r']),
        node('MatMul', ['r', 'W'], ['h2']),
        node('Add', ['h2', 'h1'], ['s']),
        node('Gemm', ['s', 'W2', 'b'], ['logits']),
      ],
      initializers: new Map(inits.map((i) => [i.name, i])),
      inputs: inputAsInitializer ? [] : [{ name: 'X', elemType: type === 'float64' ? 11 : 1, shape: ['N', 4] }],
      outputs: [{ name: 'logits', elemType: 0, shape: undefined }],
      valueInfo: [],
    },
  };
}

/** logits = Gather(Transpose(Reshape(X·W, [N, 2, 3]), [1, 0, 2]), 1, axis 0)·W2: the gathered axis comes before the batch axis. */
function splitHeadsModel(): Model {
  const shape: Initializer = { name: 'heads', dataType: 'int64', dims: [3], data: BigInt64Array.of(-1n, 2n, 3n) };
  const index: Initializer = { name: 'second', dataType: 'int64', dims: [], data: BigInt64Array.of(1n) };
  const inits = [tensor('W', [6, 6], 'float32', 5), tensor('W2', [3, 4], 'float32', 6), shape, index];
  return {
    irVersion: 8,
    opsets: new Map([['', 13]]),
    producerName: 'test',
    producerVersion: '0',
    passthrough: {},
    graph: {
      name: 'split-heads',
      nodes: [
        node('MatMul', ['X', 'W'], ['h']),
        node('Reshape', ['h', 'heads'], ['r']),
        node('Transpose', ['r'], ['t'], new Map([['perm', { type: 'ints', value: [1, 0, 2] }]])),
        node('Gather', ['t', 'second'], ['k']),
        node('MatMul', ['k', 'W2'], ['logits']),
      ],
      initializers: new Map(inits.map((i) => [i.name, i])),
      inputs: [{ name: 'X', elemType: 1, shape: ['N', 6] }],
      outputs: [{ name: 'logits', elemType: 0, shape: undefined }],
      valueInfo: [],
    },
  };
}

/**
 * GradientRunner at batch sizes 1 and 3: the loss against a float64 cross-entropy of its
 * logits, and each weight's gradient against central differences of the loss along a
 * random direction (float32, ε = 1e-2).
 */
async function checkLossGradients(model: Model, wrt: readonly string[], features: number): Promise<void> {
  const runner = await GradientRunner.create(await prepareTest(model, [features]), { wrt, weightsAsInputs: true, threads: 1 });
  try {
    for (const n of [1, 3]) {
      const images = Float32Array.from(uniform()(features * n, rng(10 + n)));
      const { loss, logits, gradients } = await runner.run(images, Int32Array.from({ length: n }, (_, i) => i % 3));
      const classes = logits.length / n;
      let expected = 0;
      for (let i = 0; i < n; i++) {
        const row = Array.from(logits.subarray(classes * i, classes * (i + 1)));
        const max = Math.max(...row);
        const logSum = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        expected += (logSum - (row[i % 3] as number)) / n;
      }
      expect(loss).toBeCloseTo(expected, 5);
      const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
      for (const w of wrt) {
        const base = model.graph.initializers.get(w)?.data as Float32Array;
        const u = uniform()(base.length, rng(99));
        const at = async (sign: number): Promise<number> =>
          (await runner.run(images, labels, new Map([[w, Float32Array.from(base, (v, i) => v + sign * 1e-2 * (u[i] as number))]]))).loss;
        const fd = ((await at(1)) - (await at(-1))) / 2e-2;
        const g = gradients.get(w) as Float32Array;
        const analytic = g.reduce((s, v, i) => s + v * (u[i] as number), 0);
        const scale = Math.sqrt(g.reduce((s, v) => s + v * v, 0) * u.reduce((s, v) => s + v * v, 0));
        expect(Math.abs(fd - analytic) / scale, `${w} at batch ${n}: fd ${fd} vs ${analytic}`).toBeLessThan(1e-3);
      }
    }
  } finally {
    await runner.release();
  }
}

describe('composition', () => {
  it('sums the gradients of a weight used twice and of a value that fans out (float64 finite differences)', async () => {
    const model = residualModel('float64', true);
    const wrt = new Map(['W', 'W2', 'b', 'X'].map((n) => {
      const init = model.graph.initializers.get(n) as Initializer;
      return [n, { dims: init.dims, data: init.data as FloatArray }] as const;
    }));
    const results = await finiteDifferenceCheck(model, wrt, ['logits'], { type: 'float64' });
    for (const r of results) expect(r.error, `${r.input}: fd ${r.fd} vs ${r.analytic}`).toBeLessThan(1e-7);
  });

  it('emits a Sum for every value with more than one gradient contribution', async () => {
    const prepared = await differentiableClassifier(await prepareTest(residualModel('float32', false), [4]));
    const graph = buildGradientGraph(prepared, { wrt: ['W', 'W2', 'b'] });
    const sums = graph.model.graph.nodes.filter((n) => n.opType === 'Sum');
    // W (two MatMuls) and h1 (Relu and Add).
    expect(sums).toHaveLength(2);
  });

  it('computes the mean cross-entropy and its gradient at batch sizes 1 and 3', async () => {
    await checkLossGradients(residualModel('float32', false), ['W', 'W2', 'b'], 4);
  });

  it('differentiates a Gather along an axis in front of the batch axis (attention-style q/k/v split)', async () => {
    await checkLossGradients(splitHeadsModel(), ['W', 'W2'], 6);
  });

  it('names the op and node of a path that needs a gradient but has no rule', async () => {
    const model = residualModel('float32', false);
    const withSin: Model = {
      ...model,
      graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n.opType === 'Relu' ? { ...n, name: 'my_sin', opType: 'Sin' } : n)) },
    };
    const prepared = await differentiableClassifier(await prepareTest(withSin, [4]));
    expect(() => buildGradientGraph(prepared, { wrt: ['W'] })).toThrow(UnsupportedOpError);
    expect(() => buildGradientGraph(prepared, { wrt: ['W'] })).toThrow(/"my_sin" \(Sin/);
    // Only the Gemm's inputs reach W2 and b: the Sin is not on their path.
    expect(() => buildGradientGraph(prepared, { wrt: ['W2', 'b'] })).not.toThrow();
  });

  it('refuses to differentiate through an op registered as not differentiable', async () => {
    const model = residualModel('float32', false);
    const random: Model = {
      ...model,
      graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n.opType === 'Relu' ? { ...n, name: 'noise', opType: 'RandomUniformLike' } : n)) },
    };
    const prepared = await differentiableClassifier(await prepareTest(random, [4]));
    expect(() => buildGradientGraph(prepared, { wrt: ['W'] })).toThrow(NotDifferentiableError);
    expect(() => buildGradientGraph(prepared, { wrt: ['W'] })).toThrow(/"noise" \(RandomUniformLike\)/);
  });

  it('skips ops without rules that no differentiated value flows through', async () => {
    const model = residualModel('float32', false, [node('Sin', ['X'], ['Xs'])]);
    const runner = await GradientRunner.create(await prepareTest(model, [4]), { wrt: ['W', 'W2', 'b'], threads: 1 });
    try {
      const { gradients } = await runner.run(new Float32Array(8).fill(0.5), Int32Array.of(0, 2));
      expect([...gradients.keys()]).toEqual(['W', 'W2', 'b']);
    } finally {
      await runner.release();
    }
  });
});
