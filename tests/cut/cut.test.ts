/** The downstream cut of a layer: which nodes it holds, what it reads as frontier, and that it computes the model's logits. */
import { describe, expect, it } from 'vitest';
import { cutDownstream, cutWeights } from '../../src/cut/cut.js';
import { prefixModel } from '../../src/cut/frontier.js';
import { OrtRunner } from '../../src/runtime/session.js';
import { floatInit, floatValue, int, ints, makeModel, node, prepareTest } from '../helpers/models.js';
import * as ort from 'onnxruntime-node';

const bits = (a: Float32Array): number[] => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

/**
 * x[N,4] → Gemm(W1) → Clip(lo, hi) → Gemm(W2) → + max(x) → logits[N,3], where lo is a Constant node's output
 * and hi = Constant + k (a chain of nodes on initializers alone), and max(x) depends on the input.
 */
function clippedMlp() {
  const scalar = (name: string, value: number) => node('Constant', [], [name], { value: { type: 'tensor', value: { dataType: 'float32', dims: [], data: new Float32Array([value]) } } });
  return makeModel({
    nodes: [
      scalar('lo', -0.25),
      scalar('c', 0.5),
      node('Add', ['c', 'k'], ['hi']),
      node('ReduceMax', ['x'], ['m'], { axes: { type: 'ints', value: [1] }, keepdims: int(1) }),
      node('Gemm', ['x', 'W1', 'b1'], ['h'], { transB: int(1) }, 'fc1'),
      node('Clip', ['h', 'lo', 'hi'], ['r']),
      node('Gemm', ['r', 'W2', 'b2'], ['g'], { transB: int(1) }, 'fc2'),
      node('Add', ['g', 'm'], ['logits']),
    ],
    initializers: [floatInit('W1', [5, 4]), floatInit('b1', [5]), floatInit('W2', [3, 5]), floatInit('b2', [3]), floatInit('k', [], [0.1])],
    inputs: [floatValue('x', ['N', 4])],
    outputs: [floatValue('logits', ['N', 3])],
  });
}

describe('cutDownstream', () => {
  it('copies the nodes that compute constants (a Clip\'s bounds) into the cut, Constant nodes as initializers; only input-dependent values are frontier', async () => {
    const prepared = await prepareTest(clippedMlp(), [4]);
    const layer = prepared.layers.find((l) => l.name === 'W1');
    expect(layer).toBeDefined();
    const cut = cutDownstream(prepared.model, cutWeights(layer!), prepared.io.logits, prepared.shapes, prepared.io.input);
    expect(cut.frontier.map((v) => v.name).sort()).toEqual(['m', 'x']);
    const ops = cut.model.graph.nodes.map((n) => `${n.opType}:${n.outputs[0]}`);
    expect(ops).toEqual(expect.arrayContaining(['Add:hi', 'Gemm:h', 'Clip:r', 'Gemm:g', 'Add:logits']));
    expect(ops).not.toContain('ReduceMax:m');
    expect(ops.filter((op) => op.startsWith('Constant:'))).toEqual([]);
    expect(cut.model.graph.initializers.has('k')).toBe(true);
    expect([...(cut.model.graph.initializers.get('lo')?.data ?? [])]).toEqual([-0.25]);
    expect(cut.model.graph.initializers.get('c')?.dims).toEqual([]);
    // Every node comes after the nodes it reads from (onnxruntime needs no particular order, the encoder does not reorder).
    const seen = new Set([...cut.frontier.map((v) => v.name), ...cut.model.graph.initializers.keys()]);
    for (const n of cut.model.graph.nodes) {
      for (const i of n.inputs) expect(i === '' || seen.has(i), `${n.opType} reads ${i}`).toBe(true);
      for (const o of n.outputs) seen.add(o);
    }

    // The cut fed with the frontier computes the whole model's logits, bit for bit.
    const x = Float32Array.from({ length: 6 * 4 }, (_, i) => Math.cos(i * 0.7));
    const whole = await OrtRunner.create(prepared.model, 'whole');
    const prefix = await OrtRunner.create(prefixModel(prepared.model, ['m']), 'prefix');
    const part = await OrtRunner.create(cut.model, 'cut');
    try {
      const out = await whole.run({ x: new ort.Tensor('float32', x, [6, 4]) }, ['logits']);
      const m = (await prefix.run({ x: new ort.Tensor('float32', x, [6, 4]) }, ['m']))['m'] as ort.Tensor;
      const logits = (await part.run({ x: new ort.Tensor('float32', x, [6, 4]), m }, ['logits']))['logits'] as ort.Tensor;
      expect(bits(logits.data as Float32Array)).toEqual(bits((out['logits'] as ort.Tensor).data as Float32Array));
    } finally {
      await whole.release();
      await prefix.release();
      await part.release();
    }
  });

  it('leaves a layer with no constants upstream as before: its frontier is what it reads', async () => {
    const prepared = await prepareTest(clippedMlp(), [4]);
    const layer = prepared.layers.find((l) => l.name === 'W2');
    const cut = cutDownstream(prepared.model, cutWeights(layer!), prepared.io.logits, prepared.shapes, prepared.io.input);
    expect(cut.frontier.map((v) => v.name).sort()).toEqual(['m', 'r']);
    expect(cut.model.graph.nodes.map((n) => n.opType)).toEqual(['Gemm', 'Add']);
  });

  it('recomputes a BatchNormalization and ReLU between two frontier values in the cut instead of caching both (DenseNet)', async () => {
    const prepared = await prepareTest(denseBlock(), [1, 5, 5]);
    const cutOf = (weight: string) => cutDownstream(prepared.model, cutWeights(prepared.layers.find((l) => l.name === weight)!), 'logits', prepared.shapes, prepared.io.input);
    // w2 reads relu(bn(c1)); c1 itself is read by the Concat after it: only c1 is frontier.
    const second = cutOf('w2');
    expect(second.frontier.map((v) => v.name)).toEqual(['c1']);
    expect(second.model.graph.nodes.map((n) => n.opType).slice(0, 3)).toEqual(['BatchNormalization', 'Relu', 'Conv']);
    // w3 reads relu(bn(c2)), and nothing else downstream reads c2: the ReLU's output stays frontier.
    const third = cutOf('w3');
    expect(third.frontier.map((v) => v.name)).toEqual(['r2']);
    expect(third.model.graph.nodes.map((n) => n.opType)).not.toContain('BatchNormalization');

    // The cut fed with c1 computes the whole model's logits.
    const x = Float32Array.from({ length: 4 * 25 }, (_, i) => Math.sin(i * 0.61));
    const whole = await OrtRunner.create(prepared.model, 'whole');
    const prefix = await OrtRunner.create(prefixModel(prepared.model, ['c1']), 'prefix');
    const part = await OrtRunner.create(second.model, 'cut');
    try {
      const image = new ort.Tensor('float32', x, [4, 1, 5, 5]);
      const want = (await whole.run({ x: image }, ['logits']))['logits']!.data as Float32Array;
      const c1 = (await prefix.run({ x: image }, ['c1']))['c1'] as ort.Tensor;
      const got = (await part.run({ c1 }, ['logits']))['logits']!.data as Float32Array;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
    } finally {
      await whole.release();
      await prefix.release();
      await part.release();
    }
  });
});

/**
 * x[N,1,5,5] → Conv(w0, 2) → c0; BN → Relu → Conv(w1, 2) → Concat(c0, ·) → c1; BN → Relu → Conv(w2, 2) →
 * Concat(c1, ·) → c2; BN → Relu → r2 → Conv(w3, 2) → GlobalAveragePool → Flatten → logits[N,2].
 */
function denseBlock() {
  const pads = { pads: ints([1, 1, 1, 1]) };
  const bn = (x: string, p: string, y: string) => [
    node('BatchNormalization', [x, `${p}.g`, `${p}.b`, `${p}.m`, `${p}.v`], [`${y}.n`]),
    node('Relu', [`${y}.n`], [y]),
  ];
  const bnInits = (p: string, c: number) => [
    floatInit(`${p}.g`, [c], Array.from({ length: c }, (_, i) => 1 + 0.1 * i)),
    floatInit(`${p}.b`, [c], Array.from({ length: c }, (_, i) => 0.05 * i)),
    floatInit(`${p}.m`, [c], Array.from({ length: c }, (_, i) => 0.01 * i)),
    floatInit(`${p}.v`, [c], Array.from({ length: c }, (_, i) => 1 + 0.2 * i)),
  ];
  const weights = (n: number) => Array.from({ length: n }, (_, i) => Math.cos(i * 0.41) * 0.3);
  return makeModel({
    nodes: [
      node('Conv', ['x', 'w0'], ['c0'], pads),
      ...bn('c0', 'bn0', 'r0'),
      node('Conv', ['r0', 'w1'], ['f1'], pads),
      node('Concat', ['c0', 'f1'], ['c1'], { axis: int(1) }),
      ...bn('c1', 'bn1', 'r1'),
      node('Conv', ['r1', 'w2'], ['f2'], pads),
      node('Concat', ['c1', 'f2'], ['c2'], { axis: int(1) }),
      ...bn('c2', 'bn2', 'r2'),
      node('Conv', ['r2', 'w3'], ['f3'], pads),
      node('GlobalAveragePool', ['f3'], ['p']),
      node('Flatten', ['p'], ['logits'], { axis: int(1) }),
    ],
    initializers: [
      floatInit('w0', [2, 1, 3, 3], weights(18)), ...bnInits('bn0', 2),
      floatInit('w1', [2, 2, 3, 3], weights(36)), ...bnInits('bn1', 4),
      floatInit('w2', [2, 4, 3, 3], weights(72)), ...bnInits('bn2', 6),
      floatInit('w3', [2, 6, 3, 3], weights(108)),
    ],
    inputs: [floatValue('x', ['N', 1, 5, 5])],
    outputs: [floatValue('logits', ['N', 2])],
  });
}
