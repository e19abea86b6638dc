/** Channel padding (src/cut/pad-channels.ts): the padded graph computes the same logits, weights land where they should, and unknown ops refuse. */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { CutEngine } from '../../src/cut/engine.js';
import { padChannels } from '../../src/cut/pad-channels.js';
import { perturbedValues } from '../../src/layers/perturbed-values.js';
import { createRng, parsePerturbationList } from '../../src/perturb/index.js';
import { openEvalData } from '../../src/data/eval-data.js';
import { prepareModelFile } from '../../src/model/prepare.js';
import type { Model, Node } from '../../src/onnx/ir.js';
import { OrtRunner } from '../../src/runtime/session.js';
import { floatInit, floatValue, int, ints, makeModel, node, prepareTest } from '../helpers/models.js';

const conv = (x: string, w: string, y: string, extra: string[] = []): Node => node('Conv', [x, w, ...extra], [y], { pads: ints([1, 1, 1, 1]) });
const bn = (x: string, prefix: string, y: string): Node => node('BatchNormalization', [x, `${prefix}.g`, `${prefix}.b`, `${prefix}.m`, `${prefix}.v`], [y]);
const bnInits = (prefix: string, c: number) => [
  floatInit(`${prefix}.g`, [c], Array.from({ length: c }, (_, i) => 1 + 0.1 * i)),
  floatInit(`${prefix}.b`, [c], Array.from({ length: c }, (_, i) => 0.05 * i - 0.1)),
  floatInit(`${prefix}.m`, [c], Array.from({ length: c }, (_, i) => 0.02 * i)),
  floatInit(`${prefix}.v`, [c], Array.from({ length: c }, (_, i) => 0.5 + 0.1 * i)),
];

/**
 * A DenseNet in miniature: x[N,1,6,6] → Conv(3) → BN → Sigmoid → Conv(3, bias) → Concat(stem, growth) → BN →
 * Relu → Pad(spatial) → MaxPool → `tail` → logits[N,4]. With a block of 4, both convolutions widen 3 → 4.
 */
function miniDenseNet(tail: 'gap' | 'flatten' | 'reshape'): Model {
  const nodes = [
    conv('x', 'w0', 's'),
    bn('s', 'bn0', 'sn'),
    node('Sigmoid', ['sn'], ['sa']),
    conv('sa', 'w1', 'g', ['b1']),
    node('Concat', ['s', 'g'], ['c'], { axis: int(1) }),
    bn('c', 'bn1', 'cn'),
    node('Relu', ['cn'], ['r']),
    node('Pad', ['r', 'pads'], ['p']),
    node('MaxPool', ['p'], ['q'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
  ];
  // q: [N, 6, 4, 4]
  if (tail === 'gap') nodes.push(node('GlobalAveragePool', ['q'], ['v']), node('Flatten', ['v'], ['f'], { axis: int(1) }));
  else if (tail === 'flatten') nodes.push(node('Flatten', ['q'], ['f'], { axis: int(1) }));
  else nodes.push(node('Reshape', ['q', 'shape'], ['f']));
  const features = tail === 'gap' ? 6 : 6 * 16;
  nodes.push(node('Gemm', ['f', 'fc', 'fcb'], ['logits'], { transB: int(1) }));
  return makeModel({
    nodes,
    initializers: [
      floatInit('w0', [3, 1, 3, 3]),
      ...bnInits('bn0', 3),
      floatInit('w1', [3, 3, 3, 3], Array.from({ length: 81 }, (_, i) => Math.cos(i * 0.3) * 0.4)),
      floatInit('b1', [3], [0.1, -0.2, 0.3]),
      ...bnInits('bn1', 6),
      { name: 'pads', dataType: 'int64', dims: [8], data: BigInt64Array.from([0, 0, 1, 1, 0, 0, 1, 1].map(BigInt)) },
      { name: 'shape', dataType: 'int64', dims: [2], data: BigInt64Array.from([-1, BigInt(features)].map(BigInt)) },
      floatInit('fc', [4, features], Array.from({ length: 4 * features }, (_, i) => Math.sin(i * 0.7) * 0.3)),
      floatInit('fcb', [4], [0.5, -0.5, 0.25, 0]),
    ],
    inputs: [floatValue('x', ['N', 1, 6, 6])],
    outputs: [floatValue('logits', ['N', 4])],
  });
}

async function logitsOf(model: Model, x: Float32Array, n: number): Promise<Float32Array> {
  const runner = await OrtRunner.create(model, 'test');
  try {
    return (await runner.run({ x: new ort.Tensor('float32', x, [n, 1, 6, 6]) }, ['logits']))['logits']?.data as Float32Array;
  } finally {
    await runner.release();
  }
}

const images = (n: number) => Float32Array.from({ length: n * 36 }, (_, i) => Math.sin(i * 1.3) + 0.2);

describe('padChannels', () => {
  for (const tail of ['gap', 'flatten'] as const) {
    it(`pads a DenseNet-like graph (${tail} before the classifier) and computes the same logits`, async () => {
      const prepared = await prepareTest(miniDenseNet(tail), [1, 6, 6]);
      const padded = padChannels(prepared.model, prepared.shapes, 4);
      expect(padded).toBeDefined();
      const init = (name: string) => padded!.model.graph.initializers.get(name)!;
      expect(init('w0').dims).toEqual([4, 1, 3, 3]);
      expect(init('w1').dims).toEqual([4, 4, 3, 3]);
      expect(init('bn1.g').dims).toEqual([8]);
      expect(init('fc').dims).toEqual([4, tail === 'gap' ? 8 : 8 * 16]);
      expect(padded!.paddedChannels('c')).toBe(8);
      expect(padded!.paddedChannels('logits')).toBeUndefined();
      const x = images(5);
      const want = await logitsOf(prepared.model, x, 5);
      const got = await logitsOf(padded!.model, x, 5);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(Math.abs((got[i] as number) - (want[i] as number))).toBeLessThan(1e-5);
    });
  }

  it('places a weight of the original shape where the padded graph reads it', async () => {
    const prepared = await prepareTest(miniDenseNet('gap'), [1, 6, 6]);
    const padded = padChannels(prepared.model, prepared.shapes, 4)!;
    // bn1 reads Concat(stem[3 → 4], growth[3 → 4]): original channel 3 (the first growth channel) is padded channel 4.
    const v = padded.embed('bn1.v', Float32Array.from([1, 2, 3, 4, 5, 6]));
    expect([...v]).toEqual([1, 2, 3, 1, 4, 5, 6, 1]);
    const g = padded.embed('bn1.g', Float32Array.from([1, 2, 3, 4, 5, 6]));
    expect([...g]).toEqual([1, 2, 3, 0, 4, 5, 6, 0]);
    // w1[o, i, 3, 3]: output 0..2 stay, input channel i of the stem is padded channel i (the stem's own padding is channel 3).
    const w1 = Float32Array.from({ length: 81 }, (_, i) => i + 1);
    const e = padded.embed('w1', w1);
    expect(e.length).toBe(4 * 4 * 9);
    expect([...e.subarray(0, 27)]).toEqual([...w1.subarray(0, 27)]);
    expect([...e.subarray(27, 36)]).toEqual(new Array(9).fill(0));
    expect([...e.subarray(36, 63)]).toEqual([...w1.subarray(27, 54)]);
    expect([...e.subarray(3 * 36)]).toEqual(new Array(36).fill(0));
    // An initializer the rewrite did not touch comes back as given.
    const b = Float32Array.from([1, 2, 3, 4]);
    expect(padded.embed('fcb', b)).toBe(b);
    // A perturbed weight embedded into the padded graph gives the same logits as the perturbed original.
    const perturbed = Float32Array.from(prepared.model.graph.initializers.get('w1')!.data as Float32Array, (w, i) => (i % 3 === 0 ? 0 : w));
    const original = { ...prepared.model, graph: { ...prepared.model.graph, initializers: new Map(prepared.model.graph.initializers).set('w1', { ...prepared.model.graph.initializers.get('w1')!, data: perturbed }) } };
    const widened = { ...padded.model, graph: { ...padded.model.graph, initializers: new Map(padded.model.graph.initializers).set('w1', { ...padded.model.graph.initializers.get('w1')!, data: padded.embed('w1', perturbed) }) } };
    const x = images(3);
    const want = await logitsOf(original, x, 3);
    const got = await logitsOf(widened, x, 3);
    for (let i = 0; i < want.length; i++) expect(Math.abs((got[i] as number) - (want[i] as number))).toBeLessThan(1e-5);
  });

  it('pads the zoo DenseNet (12-channel growth) to 16 channels, with the same logits up to float rounding', async () => {
    const data = await openEvalData({ data: 'zoo/bundled/images.npy', labels: 'zoo/bundled/labels.npy', limit: 32 });
    const prepared = await prepareModelFile('zoo/models/densenet/model.onnx', { sampleShape: data.sampleShape });
    const padded = padChannels(prepared.model, prepared.shapes);
    expect(padded).toBeDefined();
    expect(padded!.model.graph.initializers.get('block1.layer0.conv.weight')!.dims).toEqual([16, 32, 3, 3]);
    expect(padded!.model.graph.initializers.get('fc.weight')!.dims).toEqual([10, 112]); // 42 → 48 from the transition, 4 × (12 → 16)
    const input = prepared.io.input.name;
    const batch = (await data.batches(32)[Symbol.asyncIterator]().next()).value!;
    const feeds = { [input]: new ort.Tensor('float32', batch.images, [batch.count, ...data.sampleShape]) };
    const run = async (model: Model) => {
      const runner = await OrtRunner.create(model, 'densenet');
      try {
        return (await runner.run(feeds, [prepared.io.logits]))[prepared.io.logits]?.data as Float32Array;
      } finally {
        await runner.release();
      }
    };
    const want = await run(prepared.model);
    const got = await run(padded!.model);
    for (let i = 0; i < want.length; i++) expect(Math.abs((got[i] as number) - (want[i] as number))).toBeLessThan(1e-4);
  });

  it('leaves the model alone when a padded value reaches an op it does not know (a Reshape)', async () => {
    const prepared = await prepareTest(miniDenseNet('reshape'), [1, 6, 6]);
    expect(padChannels(prepared.model, prepared.shapes, 4)).toBeUndefined();
  });

  it('leaves the model alone when every convolution already has a multiple of the block, or would grow by more than a third', async () => {
    const prepared = await prepareTest(miniDenseNet('gap'), [1, 6, 6]);
    expect(padChannels(prepared.model, prepared.shapes, 3)).toBeUndefined(); // 3 and 3 channels: multiples of 3
    expect(padChannels(prepared.model, prepared.shapes, 8)).toBeUndefined(); // 3 → 8 would be 2.7×
  });
});

describe('the cut engine on a channel-padded graph', () => {
  it.each([
    ['DenseNet', 'densenet'],
    ['VGG, whose widened convolutions have biases (prunec zeroes some)', 'vgg'],
  ])('gives every layer of the zoo %s, perturbed, the logits of the unpadded engine up to float rounding', async (_, name) => {
    const data = await openEvalData({ data: 'zoo/bundled/images.npy', labels: 'zoo/bundled/labels.npy', limit: 40 });
    const prepared = await prepareModelFile(`zoo/models/${name}/model.onnx`, { sampleShape: data.sampleShape });
    const options = { count: data.count, memoryBytes: 2 ** 30, batchSize: 20, session: {}, prefix: {} };
    const plain = CutEngine.create(prepared, prepared.layers, options);
    const padded = CutEngine.create(prepared, prepared.layers, { ...options, blockedLayout: true });
    expect(plain.model).toBe(prepared.model);
    expect(padded.model).not.toBe(prepared.model);
    expect(padded.groups.map((g) => g.layers.length)).toEqual(plain.groups.map((g) => g.layers.length));
    // Padded frontier values are declared (and cached) with the padded channel count.
    if (name === 'densenet') {
      const block2 = padded.cut(prepared.layers.find((l) => l.name === 'block2.layer1.conv.weight')!).frontier;
      expect(block2.map((v) => v.shape?.[1])).toContain(48 + 16);
      // ...and the memory bound counts their padded size (ShapeTable.withChannels).
      expect(padded.groups[0]!.bytesPerSample).toBeGreaterThan(plain.groups[0]!.bytesPerSample);
    }
    const spec = parsePerturbationList('prunec:0.5,quant:2');
    for (const [plainGroup, paddedGroup] of plain.groups.map((g, i) => [g, padded.groups[i]!] as const)) {
      const plainFrontier = await plain.frontier(plainGroup, data, { start: 0, end: data.count });
      const paddedFrontier = await padded.frontier(paddedGroup, data, { start: 0, end: data.count });
      for (const layer of plainGroup.layers) {
        const variants = spec.map((s) => perturbedValues(prepared.model, layer, s.perturbation, createRng(3)).values);
        const a = await plain.open(layer, variants, 'plain');
        const b = await padded.open(layer, variants, 'padded');
        try {
          for (let k = 0; k < plainFrontier.length; k++) {
            const want = await a.logits(plainFrontier[k]!);
            const got = await b.logits(paddedFrontier[k]!);
            for (let v = 0; v < variants.length; v++) {
              for (let i = 0; i < want[v]!.length; i++) expect(Math.abs(got[v]![i]! - want[v]![i]!), `${layer.name} variant ${v}`).toBeLessThan(1e-4);
            }
          }
        } finally {
          await a.release();
          await b.release();
        }
      }
    }
  }, 60_000);
});
