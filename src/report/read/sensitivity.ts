/** Sweep rows → one DropCell per (layer, perturbation): mean drop over seeds and its uncertainty. */
import { sortColumns } from '../../benchmark/columns.js';
import { perturbationFamily } from '../../perturb/index.js';
import type { SweepRow } from '../../rows/row.js';
import type { DropCell, Sensitivity } from '../report-data.js';
import { CONFIDENCE, dropUncertainty, intervalOf, seedMeasurement } from '../../rows/uncertainty.js';

/** `rows` as the one reader gives them (rows/read.ts: repeats already dropped). */
export function sensitivityOf(rows: readonly SweepRow[]): Sensitivity {
  const groups = new Map<string, SweepRow[]>();
  const layerIndex = new Map<string, number>();
  for (const row of rows) {
    layerIndex.set(row.layer, row.layer_index);
    const key = JSON.stringify([row.layer, row.perturbation]);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const layers = [...layerIndex].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const perturbations: string[] = sortColumns([...new Set(rows.map((r) => r.perturbation))]);
  const cells: DropCell[] = [];
  for (const layer of layers) {
    for (const perturbation of perturbations) {
      const seeds = groups.get(JSON.stringify([layer, perturbation]));
      if (seeds) cells.push(cellOf(layer, perturbation, [...seeds].sort((a, b) => a.seed - b.seed)));
    }
  }
  return {
    layers,
    perturbations,
    families: [...new Set(perturbations.map(perturbationFamily))],
    cells,
    confidence: CONFIDENCE,
    uncertainty: [...new Set(cells.map((c) => c.seSource))],
  };
}

function cellOf(layer: string, perturbation: string, seeds: readonly SweepRow[]): DropCell {
  const measurements = seeds.map(seedMeasurement);
  const drops = measurements.map((m) => m.drop);
  const s = drops.length;
  const drop = mean(drops);
  const std = s > 1 ? Math.sqrt(drops.reduce((sum, d) => sum + (d - drop) ** 2, 0) / (s - 1)) : 0;
  const { se, source } = dropUncertainty(measurements);
  const kls = seeds.map((r) => r.kl);
  const unchanged = seeds.map((r) => (Number.isFinite(r.unchanged) ? r.unchanged : null));
  return {
    layer,
    perturbation,
    family: perturbationFamily(perturbation),
    level: levelOf(perturbation),
    drop,
    drops,
    seeds: s,
    std,
    se,
    seSource: source,
    interval: intervalOf(drop, se),
    kl: kls.every((k): k is number => k !== null) ? mean(kls) : null,
    unchanged: unchanged.every((u): u is number => u !== null) ? mean(unchanged) : null,
    images: Math.min(...seeds.map((r) => r.count)),
  };
}

/** "prune:0.5" → 0.5, "bitflip:1e-5" → 1e-5; null without a numeric level. */
export function levelOf(perturbation: string): number | null {
  const colon = perturbation.indexOf(':');
  if (colon < 0) return null;
  const level = Number(perturbation.slice(colon + 1));
  return Number.isFinite(level) ? level : null;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
