/** The jobs of a sweep, in a fixed order: layers (topological) × perturbations (as given) × seeds. */
import { OptionError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { isStochastic, seedFromKey, type PerturbationSpec } from '../perturb/index.js';

export interface SweepJob {
  readonly layer: Layer;
  readonly spec: PerturbationSpec;
  /** 0 for deterministic perturbations; 0..seeds-1 for stochastic ones. */
  readonly seed: number;
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

/** Exactly the named jobs (a re-measurement of some rows). */
export function explicitJobs(layers: readonly Layer[], specs: readonly PerturbationSpec[], only: readonly { layer: string; perturbation: string; seed: number }[]): SweepJob[] {
  return only.map((j) => {
    const layer = layers.find((l) => l.name === j.layer);
    const spec = specs.find((p) => p.text === j.perturbation);
    if (!layer || !spec) throw new OptionError(`no layer "${j.layer}" or perturbation "${j.perturbation}" for this sweep`);
    return { layer, spec, seed: j.seed };
  });
}

/** `layers` by name (all if no names are given); an unknown name is an error listing the layers. */
export function selectLayers(layers: readonly Layer[], names: readonly string[] | undefined, source: string): readonly Layer[] {
  if (!names || names.length === 0) return layers;
  const known = new Map(layers.map((l) => [l.name, l]));
  return names.map((name) => {
    const layer = known.get(name);
    if (!layer) throw new OptionError(`${source}: no weight layer named "${name}"; layers: ${layers.map((l) => l.name).join(', ')}`);
    return layer;
  });
}

/**
 * The generator seed of one row: derived from (layer, perturbation text, seed), so that a row can
 * be reproduced alone and different layers draw independent streams.
 */
export function rngSeedFor(layer: string, perturbation: string, seed: number): number {
  return seedFromKey(layer, perturbation, seed);
}
