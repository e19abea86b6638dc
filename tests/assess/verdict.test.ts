import { describe, expect, it } from 'vitest';
import { verdictOf, type MeasuredDrop } from '../../src/assess/verdict.js';
import type { Layer } from '../../src/layers/layer.js';

const layer: Layer = { name: 'fc.weight', node: 'fc', op: 'Gemm', shape: [10, 20], params: 210, channelAxis: 0, channels: 10, bias: 'fc.bias', flops: 400, index: 0 };
const d = (drop: number, half: number | null, seeds = 1): MeasuredDrop => ({ drop, std: 0, seeds, interval: half === null ? null : [drop - half, drop + half] });
const TOL = 0.005;

describe('the assess verdict', () => {
  it('compresses a layer whose mildest level of every compression family is harmless, intervals included', () => {
    const v = verdictOf(layer, { 'prune:0.5': d(0.001, 0.002), 'prune:0.9': d(0.2, 0.01), 'quantc:4': d(0.002, 0.002), 'quantc:2': d(0.1, 0.01) }, TOL);
    expect(v.compress).toBe('yes');
    expect(v.compressionDrop).toBe(0.002);
    expect(v.evidence).toBeNull();
  });

  it('keeps a layer whose mildest level is harmful beyond its interval', () => {
    expect(verdictOf(layer, { 'prune:0.5': d(0.02, 0.005), 'quantc:4': d(0, 0.001) }, TOL).compress).toBe('no');
  });

  it('says uncertain, and why, when an interval spans the tolerance', () => {
    const v = verdictOf(layer, { 'prune:0.5': d(0.004, 0.003), 'quantc:4': d(0, 0.001) }, TOL);
    expect(v.compress).toBe('uncertain');
    expect(v.evidence).toBe('prune:0.5 0.40 ± 0.30 pp spans 0.50 pp: more seeds or images needed');
  });

  it('protects a layer when a fault drop lies above the tolerance, and says uncertain for a catastrophic-flip lottery', () => {
    expect(verdictOf(layer, { 'bitflip:1e-4': d(0.3, 0.1, 5) }, TOL).protect).toBe('yes');
    expect(verdictOf(layer, { 'bitflip:1e-5': d(0.001, 0.001, 5) }, TOL).protect).toBe('no');
    // 22.72 ± 39.35 pp over 3 seeds (one catastrophic flip decides): the interval spans harmless and harmful.
    const lottery = verdictOf(layer, { 'bitflip:1e-5': d(0.2272, 0.4454, 3) }, TOL);
    expect(lottery.protect).toBe('uncertain');
    expect(lottery.evidence).toMatch(/^bitflip:1e-5 22\.72 ± 44\.54 pp spans 0\.50 pp: more seeds or images needed$/);
  });

  it('decides on the mean alone where no interval is known', () => {
    expect(verdictOf(layer, { 'prune:0.5': d(0.001, null) }, TOL).compress).toBe('yes');
    expect(verdictOf(layer, { 'prune:0.5': d(0.01, null) }, TOL).compress).toBe('no');
  });
});
