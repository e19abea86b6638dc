import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { discoverLayers } from '../../src/layers/discover.js';
import { loadModel } from '../../src/onnx/model.js';
import { probeClassifier } from '../../src/model/shape-table.js';
import { classifierIO } from '../../src/runtime/classifier.js';
import type { Model } from '../../src/onnx/ir.js';
import { floatInit, floatValue, int, int64Init, ints, makeModel, node, tinyMlp } from '../helpers/models.js';

const probeShapes = async (model: Model, sampleShape: number[]) => {
  const shapes = await probeClassifier(model, classifierIO(model), sampleShape, undefined, 'test');
  return (value: string) => (shapes.has(value) ? shapes.sampleSize(value) : undefined);
};

describe('layer discovery', () => {
  it('finds Gemm and a MatMul whose weight comes through a Transpose, with channel axes in stored layout', async () => {
    const model = tinyMlp();
    const shapes = await probeShapes(model, [4]);
    const layers = discoverLayers(model, shapes);
    expect(layers.map((l) => [l.name, l.op, l.channelAxis, l.channels, l.bias, l.params, l.flops, l.index])).toEqual([
      ['W', 'Gemm', 0, 3, 'b', 15, 2 * 3 * 4, 0],
      // MatMul sees Vt = V^T [3,2] (output axis 1); stored V is [2,3], so the channel axis is 0.
      ['V', 'MatMul', 0, 2, null, 6, 2 * 2 * 3, 1],
    ]);
  });

  it('handles Conv (axis 0), ConvTranspose (axis 1), Gemm transB=0 (axis 1), Identity in front of a weight, MatMul bias via Add', async () => {
    const model = makeModel({
      nodes: [
        node('Identity', ['Wc'], ['Wc_id']),
        node('Conv', ['x', 'Wc_id', 'bc'], ['c'], { pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }, 'conv'),
        node('ConvTranspose', ['c', 'Wt'], ['t'], { strides: ints([2, 2]) }, 'deconv'),
        node('Flatten', ['t'], ['f'], { axis: int(1) }),
        node('Gemm', ['f', 'G', 'gb'], ['g'], {}, 'fc'),
        node('MatMul', ['g', 'M'], ['m'], {}, 'mm'),
        node('Add', ['m', 'mb'], ['logits']),
      ],
      initializers: [
        floatInit('Wc', [4, 2, 3, 3]), floatInit('bc', [4]), floatInit('Wt', [4, 3, 2, 2]),
        floatInit('G', [3 * 8 * 8, 5]), floatInit('gb', [5]), floatInit('M', [5, 2]), floatInit('mb', [2]),
      ],
      inputs: [floatValue('x', ['N', 2, 8, 8])],
      outputs: [floatValue('logits', ['N', 2])],
    });
    const layers = discoverLayers(model, await probeShapes(model, [2, 8, 8]));
    expect(layers.map((l) => [l.name, l.op, l.channelAxis, l.bias])).toEqual([
      ['Wc', 'Conv', 0, 'bc'], ['Wt', 'ConvTranspose', 1, null], ['G', 'Gemm', 1, 'gb'], ['M', 'MatMul', 1, 'mb'],
    ]);
    const flops = Object.fromEntries(layers.map((l) => [l.name, l.flops]));
    expect(flops.Wc).toBe(2 * (4 * 4 * 4) * (2 * 3 * 3)); // conv output 4×4×4
    expect(flops.Wt).toBe(2 * (4 * 4 * 4) * (3 * 2 * 2)); // each input element × one out slice
    expect(flops.G).toBe(2 * 5 * 192);
    expect(flops.M).toBe(2 * 2 * 5);
  });

  it('returns flops null without shapes and nothing for a model without weights', () => {
    expect(discoverLayers(tinyMlp())[0]?.flops).toBeNull();
    const noWeights = makeModel({ nodes: [node('Relu', ['x'], ['y'])], initializers: [], inputs: [floatValue('x', ['N', 2])], outputs: [floatValue('y', ['N', 2])] });
    expect(discoverLayers(noWeights)).toEqual([]);
  });

  const fixtures = 'tests/fixtures/models';
  const sidecars = existsSync(fixtures) ? readdirSync(fixtures).filter((f) => f.endsWith('.layers.json')) : [];
  it.each(sidecars)('matches the independently derived layer list of %s', async (sidecar) => {
    const expected = JSON.parse(readFileSync(`${fixtures}/${sidecar}`, 'utf8')) as {
      layers?: { name: string; op: string; shape: number[]; params: number; bias: string | null }[];
    } | { name: string; op: string; shape: number[]; params: number; bias: string | null }[];
    const list = Array.isArray(expected) ? expected : (expected.layers ?? []);
    const layers = discoverLayers(loadModel(`${fixtures}/${sidecar.replace('.layers.json', '.onnx')}`));
    expect(layers.map((l) => ({ name: l.name, op: l.op, shape: l.shape, params: l.params, bias: l.bias })))
      .toEqual(list.map((l) => ({ name: l.name, op: l.op, shape: l.shape, params: l.params, bias: l.bias })));
  });
});

describe('embeddings and recurrent layers', () => {
  it('takes a Gather of a float table along axis 0 as an embedding layer (channel axis 1, no FLOPs), and nothing else', async () => {
    const model = makeModel({
      nodes: [
        node('Cast', ['x'], ['ids'], { to: int(7) }),
        node('Gather', ['E', 'ids'], ['e'], {}, '/embed/Gather'),
        node('Gather', ['F', 'ids'], ['f'], {}, 'rank-1-table'),
        node('Shape', ['e'], ['s']),
        node('Gather', ['s', 'zero'], ['n'], {}, 'shape-lookup'),
        node('Flatten', ['e'], ['ef'], { axis: int(1) }),
        node('Concat', ['ef', 'f'], ['h'], { axis: int(1) }),
        node('Gemm', ['h', 'W'], ['logits'], { transB: int(1) }, 'fc'),
      ],
      initializers: [floatInit('E', [6, 3]), floatInit('F', [6]), floatInit('W', [2, 3 * 3 + 3]), int64Init('zero', [0])],
      inputs: [floatValue('x', ['N', 3])],
      outputs: [floatValue('logits', ['N', 2])],
    });
    const layers = discoverLayers(model, await probeShapes(model, [3]));
    expect(layers.map((l) => [l.name, l.node, l.op, l.channelAxis, l.channels, l.bias, l.params, l.flops])).toEqual([
      ['E', '/embed/Gather', 'Gather', 1, 3, null, 18, 0],
      ['W', 'fc', 'Gemm', 0, 2, null, 24, 2 * 24],
    ]);
    const alongAxis1 = makeModel({
      nodes: [node('Gather', ['E', 'ids'], ['y'], { axis: int(1) })],
      initializers: [floatInit('E', [6, 3])],
      inputs: [{ name: 'ids', elemType: 7, shape: ['N'] }],
      outputs: [floatValue('y', [6, 'N'])],
    });
    expect(discoverLayers(alongAxis1)).toEqual([]);
  });

  it.each([
    // [model, steps, layers W/R: (shape)] — FLOPs per sample are 2 · steps · entries, for W and for R
    ['lstm-rows', 'LSTM'],
    ['gru-rows', 'GRU'],
    ['embed-rnn', 'RNN'],
  ])('%s: W and R of the %s are two layers with channel axis 1 (gate units), no bias, 2·steps·entries FLOPs', async (name, op) => {
    const model = loadModel(`tests/fixtures/models/${name}.onnx`);
    const layers = discoverLayers(model, await probeShapes(model, [1, 28, 28]));
    const recurrent = layers.filter((l) => l.op === op);
    expect(recurrent).toHaveLength(2);
    for (const l of recurrent) {
      expect(l).toMatchObject({ channelAxis: 1, channels: l.shape[1], bias: null });
      expect(l.flops).toBe(2 * 28 * l.shape.reduce((a, b) => a * b, 1)); // 28 rows = 28 time steps
    }
    expect(layers.map((l) => l.node)).toEqual(
      (JSON.parse(readFileSync(`tests/fixtures/models/${name}.layers.json`, 'utf8')) as { layers: { node: string }[] }).layers.map((l) => l.node),
    );
  });
});
