/** Frontier values into the blocked layout (src/cut/blocked-frontier.ts): which values, how, and the same logits. */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { blockedFrontier } from '../../src/cut/blocked-frontier.js';
import { cutDownstream, cutWeights, type DownstreamCut } from '../../src/cut/cut.js';
import type { Model } from '../../src/onnx/ir.js';
import { OrtRunner } from '../../src/runtime/session.js';
import { floatInit, floatValue, int, ints, makeModel, node, prepareTest } from '../helpers/models.js';

const values = (n: number, scale: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * scale);

/**
 * x[N,1,6,6] → Conv(16) → Relu → r; Conv(16 → 16) on r → g; Concat(r, g) → BN → Relu → Conv(32 → 12) → t;
 * Conv(12 → 12) on t → u; Add(t, u) → GlobalAveragePool → Flatten → Gemm → logits[N,3].
 * Cut at w1, r (16 channels) reaches the Concat; cut at w3, t (12 channels) reaches the Add.
 */
function model(): Model {
  const pads = { pads: ints([1, 1, 1, 1]) };
  return makeModel({
    nodes: [
      node('Conv', ['x', 'w0'], ['a'], pads),
      node('Relu', ['a'], ['r']),
      node('Conv', ['r', 'w1'], ['g'], pads),
      node('Concat', ['r', 'g'], ['c'], { axis: int(1) }),
      node('BatchNormalization', ['c', 'bn.g', 'bn.b', 'bn.m', 'bn.v'], ['cn']),
      node('Relu', ['cn'], ['cr']),
      node('Conv', ['cr', 'w2'], ['t'], pads),
      node('Conv', ['t', 'w3'], ['u'], pads),
      node('Add', ['t', 'u'], ['s']),
      node('GlobalAveragePool', ['s'], ['p']),
      node('Flatten', ['p'], ['f'], { axis: int(1) }),
      node('Gemm', ['f', 'fc'], ['logits'], { transB: int(1) }),
    ],
    initializers: [
      floatInit('w0', [16, 1, 3, 3], values(144, 0.5)),
      floatInit('w1', [16, 16, 3, 3], values(2304, 0.1)),
      floatInit('bn.g', [32], values(32, 0.3).map((v) => 1 + v)),
      floatInit('bn.b', [32], values(32, 0.1)),
      floatInit('bn.m', [32], values(32, 0.05)),
      floatInit('bn.v', [32], values(32, 0.2).map((v) => 1 + Math.abs(v))),
      floatInit('w2', [12, 32, 3, 3], values(3456, 0.08)),
      floatInit('w3', [12, 12, 3, 3], values(1296, 0.1)),
      floatInit('fc', [3, 12], values(36, 0.4)),
    ],
    inputs: [floatValue('x', ['N', 1, 6, 6])],
    outputs: [floatValue('logits', ['N', 3])],
  });
}

async function cutOf(weight: string): Promise<{ cut: DownstreamCut; frontier: Record<string, ort.Tensor> }> {
  const prepared = await prepareTest(model(), [1, 6, 6]);
  const layer = prepared.layers.find((l) => l.name === weight)!;
  const cut = cutDownstream(prepared.model, cutWeights(layer), 'logits', prepared.shapes, prepared.io.input);
  // The frontier values of 5 images, from the whole graph.
  const names = cut.frontier.map((v) => v.name);
  const runner = await OrtRunner.create({ ...prepared.model, graph: { ...prepared.model.graph, outputs: names.map((name) => ({ name, elemType: 1, shape: undefined })) } }, 'prefix');
  try {
    const x = new ort.Tensor('float32', Float32Array.from({ length: 5 * 36 }, (_, i) => Math.cos(i * 0.9)), [5, 1, 6, 6]);
    const out = await runner.run({ x }, names);
    return { cut, frontier: Object.fromEntries(names.map((n) => [n, out[n] as ort.Tensor])) };
  } finally {
    await runner.release();
  }
}

async function logitsOf(m: Model, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const runner = await OrtRunner.create(m, 'test');
  try {
    return (await runner.run(feeds, ['logits']))['logits']?.data as Float32Array;
  } finally {
    await runner.release();
  }
}

describe('blockedFrontier', () => {
  it('feeds a frontier value that a Concat reads through an identity depthwise convolution, and computes the same logits', async () => {
    const { cut, frontier } = await cutOf('w1');
    expect(cut.frontier.map((v) => v.name)).toEqual(['r']);
    const blocked = blockedFrontier(cut);
    expect(blocked).not.toBe(cut);
    expect(blocked.frontier).toEqual(cut.frontier);
    expect(blocked.model.graph.inputs).toEqual(cut.model.graph.inputs);
    const [identity, ...rest] = blocked.model.graph.nodes;
    expect(identity!.opType).toBe('Conv');
    expect(identity!.inputs[0]).toBe('r');
    expect(identity!.attributes.get('group')).toEqual({ type: 'int', value: 16 });
    expect(identity!.attributes.get('kernel_shape')).toEqual({ type: 'ints', value: [1, 1] });
    const ones = blocked.model.graph.initializers.get(identity!.inputs[1]!)!;
    expect(ones.dims).toEqual([16, 1, 1, 1]);
    expect([...ones.data]).toEqual(new Array(16).fill(1));
    expect(identity!.inputs).toHaveLength(2); // no bias
    // Copies of a replicated cut each convert the value themselves (tests/cut/replicate.test.ts).
    expect(blocked.perCopy).toEqual(new Set([identity!.inputs[1]]));
    // Every reader of r (the Concat and the perturbed convolution) reads the converted value.
    const blockedValue = identity!.outputs[0]!;
    expect(rest.filter((n) => n.inputs.includes('r'))).toEqual([]);
    expect(rest.filter((n) => n.inputs.includes(blockedValue)).map((n) => n.opType).sort()).toEqual(['Concat', 'Conv']);
    const want = await logitsOf(cut.model, frontier);
    const got = await logitsOf(blocked.model, frontier);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
  });

  it('leaves values whose channels are not a multiple of the block, and cuts with nothing to convert, as they are', async () => {
    const { cut } = await cutOf('w3');
    expect(cut.frontier.map((v) => v.name)).toEqual(['t']); // 12 channels, read by the Add
    expect(blockedFrontier(cut)).toBe(cut);
    const converted = blockedFrontier(cut, 4); // with a block of 4 it is converted
    expect(converted.model.graph.nodes[0]!.attributes.get('group')).toEqual({ type: 'int', value: 12 });
    const { cut: onlyConv } = await cutOf('w0'); // the image input (1 channel) reaches a convolution only
    expect(blockedFrontier(onlyConv, 1)).toBe(onlyConv);
  });

  it('names the converted value apart from every name in the graph', async () => {
    const { cut } = await cutOf('w1');
    const taken = { ...cut, model: { ...cut.model, graph: { ...cut.model.graph, initializers: new Map([...cut.model.graph.initializers, ['r/safer.ones', floatInit('r/safer.ones', [1], [0])]]) } } };
    const blocked = blockedFrontier(taken);
    const identity = blocked.model.graph.nodes[0]!;
    expect(identity.inputs[1]).toBe('r/safer.ones1');
    expect(blocked.model.graph.initializers.get('r/safer.ones')!.data[0]).toBe(0);
  });
});
