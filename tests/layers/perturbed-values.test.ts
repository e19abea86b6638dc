/** A layer's perturbed initializers: the weight always, the bias when the perturbation changes it, and "unchanged" exactly when no bit moved. */
import { describe, expect, it } from 'vitest';
import { perturbedValues } from '../../src/layers/perturbed-values.js';
import { applyPerturbation, createRng, parsePerturbationList } from '../../src/perturb/index.js';
import { floatInit, floatValue, int, makeModel, node, prepareTest } from '../helpers/models.js';

async function gemm() {
  return prepareTest(makeModel({
    nodes: [node('Gemm', ['x', 'W', 'b'], ['logits'], { transB: int(1) })],
    initializers: [floatInit('W', [3, 4], [0.5, -1, 2, 0.25, -0.75, 1.5, -2, 1, 0.1, -0.2, 0.3, -0.4]), floatInit('b', [3], [0.1, -0.2, 0.3])],
    inputs: [floatValue('x', ['N', 4])],
    outputs: [floatValue('logits', ['N', 3])],
  }), [4]);
}

const spec = (text: string) => parsePerturbationList(text)[0]!.perturbation;

describe('perturbedValues', () => {
  it('gives the perturbed weight under the layer\'s name, the same values as applyPerturbation with the same seed', async () => {
    const prepared = await gemm();
    const layer = prepared.layers[0]!;
    const weight = prepared.model.graph.initializers.get('W')!.data as Float32Array;
    const { values, unchanged } = perturbedValues(prepared.model, layer, spec('quant:2'), createRng(5));
    expect([...values.keys()]).toEqual(['W']);
    const want = applyPerturbation({ weight, shape: layer.shape, channelAxis: layer.channelAxis }, spec('quant:2'), createRng(5)).weight;
    expect([...values.get('W')!]).toEqual([...want]);
    expect(unchanged).toBe(false);
  });

  it('adds the bias when the perturbation changes it (prunec zeroes whole output channels)', async () => {
    const prepared = await gemm();
    const layer = prepared.layers[0]!;
    expect(layer.bias).toBe('b');
    const { values } = perturbedValues(prepared.model, layer, spec('prunec:0.34'), createRng(1));
    expect([...values.keys()].sort()).toEqual(['W', 'b']);
    const zeroed = [0, 1, 2].filter((c) => values.get('W')!.slice(4 * c, 4 * c + 4).every((v) => v === 0));
    expect(zeroed).toHaveLength(1);
    expect(values.get('b')![zeroed[0]!]).toBe(0);
  });

  it('says unchanged when no bit moved (a bit-flip rate too low to draw a flip), and not otherwise', async () => {
    const prepared = await gemm();
    const layer = prepared.layers[0]!;
    expect(perturbedValues(prepared.model, layer, spec('bitflip:1e-9'), createRng(2)).unchanged).toBe(true);
    expect(perturbedValues(prepared.model, layer, spec('prune:0.5'), createRng(2)).unchanged).toBe(false);
  });
});
