/** Sweep rows → one DropCell per (layer, perturbation): mean drop over seeds and its uncertainty. */
import { perturbationFamily, sortColumns } from '../../bench/index.js';
import type { DropCell, Sensitivity } from '../report-data.js';
import { CONFIDENCE, dropUncertainty, intervalOf } from '../uncertainty.js';
import type { SweepRowInput } from './sweep-rows.js';

export function sensitivityOf(rows: readonly SweepRowInput[]): Sensitivity {
  const groups = new Map<string, SweepRowInput[]>();
  const layerIndex = new Map<string, number>();
  for (const row of rows) {
    layerIndex.set(row.layer, row.layerIndex);
    const key = JSON.stringify([row.layer, row.perturbation]);
    // A row repeated for the same seed (a file appended to twice) counts once: the last one wins.
    const list = (groups.get(key) ?? []).filter((r) => r.seed !== row.seed);
    list.push(row);
    groups.set(key, list);
  }
  const layers = [...layerIndex].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const perturbations = sortColumns([...new Set(rows.map((r) => r.perturbation))]);
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

function cellOf(layer: string, perturbation: string, seeds: readonly SweepRowInput[]): DropCell {
  // Rounded to 1e-12: base − accuracy of two equal accuracies can leave 1e-17 of float noise.
  const drops = seeds.map((r) => Math.round((r.baseAccuracy - r.accuracy) * 1e12) / 1e12);
  const s = drops.length;
  const drop = mean(drops);
  const std = s > 1 ? Math.sqrt(drops.reduce((sum, d) => sum + (d - drop) ** 2, 0) / (s - 1)) : 0;
  const { se, source } = dropUncertainty(seeds.map((r, i) => ({
    drop: drops[i] as number, images: r.count, unchanged: r.unchanged, rightToWrong: r.rightToWrong, wrongToRight: r.wrongToRight,
  })));
  const kls = seeds.map((r) => r.kl);
  const unchanged = seeds.map((r) => r.unchanged);
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
