/**
 * The protect costs of `--measure`: each layer's expected accuracy drop under `bitflip:ber`, from
 * single flips stratified by bit position rather than from random fault trials.
 *
 * At the rates where protection matters a layer sees a few flips per trial, and nearly all the damage
 * comes from the rare flips of high exponent bits (bit 30 multiplies an entry with |w| < 2 by 2^128). Random
 * trials sample those rare events a handful of times: ten trials of a small layer often draw none,
 * and the solver then leaves the layer that breaks the model unprotected. Here every bit position
 * b ∈ FAULT_BITS of every layer is measured directly: `samples` single flips of bit b, each in an
 * entry drawn uniformly (seeded by ("fault-costs", layer, b, sample)), each one run of the graph from
 * the layer on over the calibration images. D_{l,b} is their mean accuracy drop, and the layer's
 * expected drop at rate p is
 *   c_l(p) = min(base accuracy, Σ_b (1 − (1 − p)^{n_l}) · D_{l,b}),
 * the chance that bit b is hit in at least one of the layer's n_l entries times the drop of one hit,
 * summed over positions: exact for one flip per layer, an estimate (capped at losing everything) when
 * flips meet. Mantissa bits below FAULT_BITS[0] change an entry by at most 2^-4 of its value and
 * count 0. The joint effect of all unprotected layers at once is what the plan's evaluation measures.
 */
import { CutLogits } from '../../cut/cut-logits.js';
import type { Layer } from '../../layers/layer.js';
import type { PreparedModel } from '../../model/prepare.js';
import { createRng, seedFromKey } from '../../perturb/index.js';
import type { SampleBatch } from '../../runtime/memory-batches.js';
import { accumulate, emptyTotals } from '../../runtime/metrics.js';
import type { SessionOptions } from '../../runtime/session.js';
import { costCurvesFrom } from '../curves.js';
import { BUDGET_DEFAULTS } from '../defaults.js';
import type { CostCurves } from '../types.js';
import { storedWeight } from './apply-plan.js';

/** The float32 bit positions measured: the top 3 mantissa bits, the 8 exponent bits and the sign. */
export const FAULT_BITS: readonly number[] = Array.from({ length: 12 }, (_, i) => 20 + i);

export interface FaultCosts {
  curves: CostCurves;
  /** D_{l,b}: mean accuracy drop of one flip of bit b in layer l, by layer, in FAULT_BITS order. */
  perFlip: Map<string, number[]>;
  runs: number;
}

/** The weight with bit `bit` of one entry flipped. */
export function withFlippedBit(weight: Float32Array, entry: number, bit: number): Float32Array {
  const out = weight.slice();
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length);
  words[entry]! ^= 1 << bit;
  return out;
}

/** c_l(p) from the per-flip drops of a layer of n entries (see the file comment). */
export function expectedFaultDrop(perFlip: readonly number[], n: number, ber: number, baseAccuracy: number): number {
  const hit = -Math.expm1(n * Math.log1p(-ber));
  return Math.min(baseAccuracy, perFlip.reduce((sum, d) => sum + hit * d, 0));
}

export async function measureFaultCosts(
  prepared: PreparedModel,
  calibration: SampleBatch,
  ber: number,
  base: { accuracy: number },
  options: { samples?: number; session?: SessionOptions; layers?: readonly Layer[]; onProgress?: (done: number, total: number) => void } = {},
): Promise<FaultCosts> {
  const samples = options.samples ?? BUDGET_DEFAULTS.faultSamples;
  const layers = options.layers ?? prepared.layers;
  const cut = CutLogits.create(prepared, calibration, options.session ?? {});
  const perFlip = new Map<string, number[]>();
  const entries: { layer: string; level: number; cost: number }[] = [];
  let runs = 0;
  try {
    for (const [i, layer] of layers.entries()) {
      const stored = storedWeight(prepared, layer);
      // Every (bit, sample) of the layer: one flipped weight each, several in one session.
      const flips = FAULT_BITS.length * samples;
      const flipped = (k: number): Map<string, Float32Array> => {
        const bit = FAULT_BITS[Math.floor(k / samples)] as number;
        const entry = Math.floor(createRng(seedFromKey('fault-costs', layer.name, String(bit), k % samples)).nextFloat() * stored.length);
        return new Map([[layer.name, withFlippedBit(stored, entry, bit)]]);
      };
      const logits = await cut.logitsOfVariants(layer, flips, flipped, 'fault-costs');
      runs += flips;
      const drops = FAULT_BITS.map((_, b) => {
        let sum = 0;
        for (let s = 0; s < samples; s++) {
          const l = logits[b * samples + s] as Float32Array;
          const totals = emptyTotals();
          accumulate(totals, l, calibration.labels, l.length / calibration.count);
          sum += base.accuracy - totals.correct / totals.count;
        }
        return sum / samples;
      });
      perFlip.set(layer.name, drops);
      entries.push({ layer: layer.name, level: ber, cost: expectedFaultDrop(drops, stored.length, ber, base.accuracy) });
      options.onProgress?.(i + 1, layers.length);
    }
  } finally {
    await cut.release();
  }
  return { curves: costCurvesFrom(entries), perFlip, runs };
}
