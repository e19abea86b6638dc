/** Protect costs from single flips stratified by bit position. */
import { describe, expect, it } from 'vitest';
import { PlanEvaluator } from '../../src/budget/run/evaluate-plan.js';
import { expectedFaultDrop, FAULT_BITS, measureFaultCosts, withFlippedBit } from '../../src/budget/run/fault-costs.js';
import { openEvalData } from '../../src/data/index.js';
import { prepareModelFile } from '../../src/model/prepare.js';
import { createRng, seedFromKey } from '../../src/perturb/index.js';
import { loadSamples, memoryBatches } from '../../src/runtime/memory-batches.js';
import { BUNDLED } from '../helpers/cli.js';

describe('withFlippedBit', () => {
  it('flips exactly one bit of one entry, and leaves the input alone', () => {
    const w = new Float32Array([0.5, -0.25, 1.5]);
    const flipped = withFlippedBit(w, 1, 30);
    expect([...w]).toEqual([0.5, -0.25, 1.5]);
    expect(flipped[0]).toBe(0.5);
    expect(flipped[2]).toBe(1.5);
    expect(flipped[1]).toBe(-0.25 * 2 ** 128); // bit 30 adds 128 to the exponent of |w| < 2
    expect(withFlippedBit(w, 0, 31)[0]).toBe(-0.5);
    expect(withFlippedBit(w, 2, 22)[2]).toBe(1.5 - 0.5); // the top mantissa bit of 1.5 = 1.1b
  });
});

describe('expectedFaultDrop', () => {
  it('is Σ_b P(bit b hit in one of n entries) · D_b, capped at the base accuracy', () => {
    const hit = 1 - (1 - 1e-4) ** 1000;
    expect(expectedFaultDrop([0.1, 0.3, 0], 1000, 1e-4, 0.9)).toBeCloseTo(hit * 0.4, 12);
    expect(expectedFaultDrop([0.5, 0.5, 0.5], 1e6, 1e-3, 0.9)).toBe(0.9);
    expect(expectedFaultDrop([0.5], 1000, 0, 0.9)).toBe(0);
  });
});

describe('measureFaultCosts on the bundled CNN', () => {
  it('measures D_{l,b} as the drop of one flip, which a full evaluation of that flipped model reproduces', async () => {
    const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: 200 });
    const prepared = await prepareModelFile(BUNDLED.model, { sampleShape: data.sampleShape });
    const calibration = await loadSamples(data, 200);
    const evaluator = await PlanEvaluator.create(prepared, memoryBatches(calibration.images, calibration.labels, calibration.sampleShape, 'calibration'));
    const layer = prepared.layers[0]!;
    const costs = await measureFaultCosts(prepared, calibration, 1e-4, evaluator.base, { samples: 1, layers: [layer] });
    expect(costs.runs).toBe(FAULT_BITS.length);
    const perFlip = costs.perFlip.get(layer.name)!;
    expect(perFlip).toHaveLength(FAULT_BITS.length);
    // Bit 30 is the catastrophic one; the lowest mantissa bits measured do next to nothing.
    const at30 = perFlip[FAULT_BITS.indexOf(30)]!;
    expect(at30).toBeGreaterThan(0.01);
    expect(Math.abs(perFlip[0]!)).toBeLessThan(0.02);
    // The same flip (the same seeded entry), evaluated in full.
    const stored = prepared.model.graph.initializers.get(layer.name)!.data as Float32Array;
    const entry = Math.floor(createRng(seedFromKey('fault-costs', layer.name, '30', 0)).nextFloat() * stored.length);
    const full = await evaluator.weights(new Map([[layer.name, withFlippedBit(stored, entry, 30)]]));
    expect(at30).toBeCloseTo(evaluator.base.accuracy - full.accuracy, 9);
    const n = stored.length;
    expect(costs.curves.get(layer.name)).toEqual([{ level: 1e-4, cost: expectedFaultDrop(perFlip, n, 1e-4, evaluator.base.accuracy) }]);
  });
});
