import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { discoverLayers } from '../../src/layers/discover.js';
import { loadModel } from '../../src/onnx/model.js';
import { probeClassifier } from '../../src/model/shape-table.js';
import { classifierIO } from '../../src/runtime/classifier.js';
import type { Model } from '../../src/onnx/ir.js';
import { floatInit, floatValue, int, ints, makeModel, node, tinyMlp } from '../helpers/models.js';

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
