/** Several variants of a layer in one session: each variant's logits bit for bit those of a session of its own. */
import { describe, expect, it } from 'vitest';
import { CutEngine, MAX_BUNDLE } from '../../src/cut/engine.js';
import { replicatedModel, variantOutput } from '../../src/cut/replicate.js';
import { openEvalData } from '../../src/data/index.js';
import { prepareModelFile } from '../../src/model/prepare.js';
import { perturbedValues } from '../../src/layers/perturbed-values.js';
import { createRng, parsePerturbationList } from '../../src/perturb/index.js';
import { BUNDLED, ROOT } from '../helpers/cli.js';

const bits = (a: Float32Array): number[] => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

describe('replicated downstream parts', () => {
  it.each([
    ['bundled CNN', BUNDLED.model, false],
    ['ResNet-style with residual Adds', `${ROOT}tests/fixtures/models/resnet-mini.onnx`, false],
    ['ResNet-style, the Adds\' frontier values in the blocked layout', `${ROOT}tests/fixtures/models/resnet-mini.onnx`, true],
    ['zoo DenseNet, padded, frontier blocked, BatchNormalization and ReLU recomputed in the cut', `${ROOT}zoo/models/densenet/model.onnx`, true],
  ])('give every variant the logits of its own session, bit for bit, for every layer (%s)', async (_, path, blockedLayout) => {
    const small = path.includes('densenet');
    const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: small ? 24 : 130 });
    const prepared = await prepareModelFile(path, { sampleShape: data.sampleShape });
    const engine = CutEngine.create(prepared, prepared.layers, { count: data.count, memoryBytes: 2 ** 30, batchSize: small ? 24 : 64, session: {}, prefix: {}, blockedLayout });
    const specs = parsePerturbationList(small ? 'prune:0.5,quant:2' : 'prune:0.5,quant:2,prunec:0.5,noise:1.0');
    for (const group of engine.groups) {
      const frontier = await engine.frontier(group, data, { start: 0, end: data.count });
      for (const layer of group.layers) {
        const variants = specs.map((spec) => perturbedValues(prepared.model, layer, spec.perturbation, createRng(7)).values);
        const together = await engine.open(layer, variants, 'bundle');
        const alone = await Promise.all(variants.map((v) => engine.open(layer, [v], 'one')));
        try {
          for (const batch of frontier) {
            const bundled = await together.logits(batch);
            expect(bundled).toHaveLength(variants.length);
            for (let i = 0; i < variants.length; i++) {
              const [own] = (await alone[i]!.logits(batch)) as [Float32Array];
              expect(bits(bundled[i]!), `${layer.name} variant ${i}`).toEqual(bits(own));
            }
            // The variants differ: a bundle does not hand one variant's logits to another.
            expect(bits(bundled[0]!)).not.toEqual(bits(bundled[1]!));
          }
        } finally {
          await together.release();
          for (const run of alone) await run.release();
        }
      }
    }
    expect(engine.bundleSize(prepared.layers[0]!)).toBe(MAX_BUNDLE);
  }, 120_000);

  it('keeps one variant as the single-variant model, and renames copies apart from every existing name', async () => {
    const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: 10 });
    const prepared = await prepareModelFile(BUNDLED.model, { sampleShape: data.sampleShape });
    const engine = CutEngine.create(prepared, prepared.layers, { count: 10, memoryBytes: 2 ** 30, session: {}, prefix: {} });
    const layer = prepared.layers[1]!;
    const cut = engine.cut(layer);
    const weight = prepared.model.graph.initializers.get(layer.name)!.data as Float32Array;
    const one = replicatedModel(cut, [new Map([[layer.name, weight]])]).model;
    expect(one.graph.nodes).toEqual(cut.model.graph.nodes);
    const { model, prefix } = replicatedModel(cut, [new Map([[layer.name, weight]]), new Map([[layer.name, weight]]), new Map([[layer.name, weight]])]);
    expect(model.graph.nodes).toHaveLength(3 * cut.model.graph.nodes.length);
    expect(model.graph.outputs.map((o) => o.name)).toEqual([0, 1, 2].map((i) => variantOutput(prepared.io.logits, i, prefix)));
    const produced = model.graph.nodes.flatMap((n) => n.outputs);
    expect(new Set(produced).size).toBe(produced.length); // every value is computed once
    // Unchanged weights are shared; the changed one has a copy per extra variant.
    expect(model.graph.initializers.size).toBe(cut.model.graph.initializers.size + 2);
    expect(model.graph.inputs).toEqual(cut.model.graph.inputs);
  });
});
