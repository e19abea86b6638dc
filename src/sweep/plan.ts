/** The jobs of a sweep, in a fixed order: layers (topological) × perturbations (as given) × seeds. */
import { createHash } from 'node:crypto';
import { isStochastic, type PerturbationSpec } from '../perturb/index.js';
import type { Layer } from '../layers/layer.js';

export interface SweepJob {
  readonly layer: Layer;
  readonly spec: PerturbationSpec;
  /** 0 for deterministic perturbations; 0..seeds-1 for stochastic ones. */
  readonly seed: number;
}

export function jobKey(layer: string, perturbation: string, seed: number): string {
  return `${layer}\u0000${perturbation}\u0000${seed}`;
}

export function rowKey(row: Record<string, unknown>): string {
  return jobKey(String(row.layer), String(row.perturbation), Number(row.seed));
}

export function planJobs(layers: readonly Layer[], specs: readonly PerturbationSpec[], seeds: number): SweepJob[] {
  const jobs: SweepJob[] = [];
  for (const layer of layers) {
    for (const spec of specs) {
      const count = isStochastic(spec.perturbation) ? seeds : 1;
      for (let seed = 0; seed < count; seed++) jobs.push({ layer, spec, seed });
    }
  }
  return jobs;
}

/**
 * The generator seed of one row: derived from (layer, perturbation text, seed), so that
 * a row can be reproduced alone and different layers draw independent streams.
 * First 48 bits of sha256("<layer>\0<perturbation>\0<seed>").
 */
export function rngSeedFor(layer: string, perturbation: string, seed: number): number {
  const digest = createHash('sha256').update(jobKey(layer, perturbation, seed)).digest();
  return digest.readUIntBE(0, 6);
}
