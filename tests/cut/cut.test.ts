/** The downstream cut of a layer: which nodes it holds, what it reads as frontier, and that it computes the model's logits. */
import { describe, expect, it } from 'vitest';
import { cutDownstream, cutWeights } from '../../src/cut/cut.js';
import { prefixModel } from '../../src/cut/frontier.js';
import { OrtRunner } from '../../src/runtime/session.js';
import { floatInit, floatValue, int, makeModel, node, prepareTest } from '../helpers/models.js';
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
  it('copies the nodes that compute constants (a Clip\'s bounds) into the cut; only input-dependent values are frontier', async () => {
    const prepared = await prepareTest(clippedMlp(), [4]);
    const layer = prepared.layers.find((l) => l.name === 'W1');
    expect(layer).toBeDefined();
    const cut = cutDownstream(prepared.model, cutWeights(layer!), prepared.io.logits, prepared.shapes, prepared.io.input);
    expect(cut.frontier.map((v) => v.name).sort()).toEqual(['m', 'x']);
    const ops = cut.model.graph.nodes.map((n) => `${n.opType}:${n.outputs[0]}`);
    expect(ops).toEqual(expect.arrayContaining(['Constant:lo', 'Constant:c', 'Add:hi', 'Gemm:h', 'Clip:r', 'Gemm:g', 'Add:logits']));
    expect(ops).not.toContain('ReduceMax:m');
    expect(cut.model.graph.initializers.has('k')).toBe(true);
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
});
