/**
 * The per-layer verdict of `safer assess`, with the evidence behind it. A drop is harmless when it is
 * at most the tolerance. With the 95% interval of each drop (the paired standard error of every seed's
 * row, and the spread over seeds: rows/uncertainty.ts), a layer is
 *   compress: "yes" when the drop at the mildest measured level of every compression family (the
 *             smallest pruning ratio, the most bits) lies within the tolerance, "no" when one lies
 *             above it, "uncertain" otherwise (harsher levels are for the budget plans to weigh);
 *   protect:  "yes" when some fault drop's interval lies above the tolerance, "no" when every fault
 *             drop's interval lies within it, "uncertain" otherwise.
 * An uncertain verdict says which drop's interval spans the tolerance: more seeds or images would decide it.
 */
import type { Layer } from '../layers/layer.js';
import { perturbationFamily, purposeOf } from '../perturb/index.js';
import type { SweepRow } from '../rows/row.js';
import { dropCell } from '../rows/summary.js';
import { intervalOf } from '../rows/uncertainty.js';

export type Verdict = 'yes' | 'no' | 'uncertain';

/** One measured drop with its interval. */
export interface MeasuredDrop {
  /** Mean over seeds (fraction). */
  drop: number;
  /** Standard deviation over seeds (0 for one). */
  std: number;
  seeds: number;
  /** 95% interval of the mean drop; null when it cannot be known (one seed of a row without paired counts). */
  interval: [number, number] | null;
}

export interface LayerVerdict {
  name: string;
  index: number;
  op: string;
  params: number;
  flops: number | null;
  drops: Record<string, MeasuredDrop>;
  /** Worst drop under a compression perturbation, and under a fault perturbation (null if none was run). */
  compressionDrop: number | null;
  faultDrop: number | null;
  compress: Verdict;
  protect: Verdict;
  /** Why, in a few words, when a verdict is uncertain (e.g. "bitflip:1e-5 0.2 ± 3.1 pp spans 0.5 pp"). */
  evidence: string | null;
}

/** The drops of one layer's rows, by perturbation, with their intervals. */
export function measuredDrops(rows: readonly SweepRow[]): Record<string, MeasuredDrop> {
  const byPerturbation = new Map<string, SweepRow[]>();
  for (const row of rows) byPerturbation.set(row.perturbation, [...(byPerturbation.get(row.perturbation) ?? []), row]);
  const out: Record<string, MeasuredDrop> = {};
  for (const [perturbation, seeds] of byPerturbation) {
    const cell = dropCell(seeds);
    out[perturbation] = { drop: cell.drop, std: cell.std, seeds: cell.seeds, interval: intervalOf(cell.drop, cell.se) };
  }
  return out;
}

const pp = (x: number): string => (100 * x).toFixed(2);

/** Of each compression family's levels, the mildest: the smallest pruning ratio, the most bits. */
function mildestPerFamily(drops: [string, MeasuredDrop][]): [string, MeasuredDrop][] {
  const mildest = new Map<string, [string, MeasuredDrop]>();
  const harshness = (p: string): number => {
    const level = Number(p.slice(p.indexOf(':') + 1));
    return perturbationFamily(p).startsWith('quant') ? -level : level;
  };
  for (const entry of drops) {
    const family = perturbationFamily(entry[0]);
    const current = mildest.get(family);
    if (!current || harshness(entry[0]) < harshness(current[0])) mildest.set(family, entry);
  }
  return [...mildest.values()];
}

export function verdictOf(layer: Layer, drops: Record<string, MeasuredDrop>, tolerance: number): LayerVerdict {
  const of = (compression: boolean): [string, MeasuredDrop][] =>
    Object.entries(drops).filter(([p]) => (purposeOf(perturbationFamily(p)) === 'compression') === compression);
  const compression = mildestPerFamily(of(true));
  const faults = of(false);
  // An unknown interval is the point itself: the verdict then rests on the mean alone.
  const low = (d: MeasuredDrop): number => d.interval?.[0] ?? d.drop;
  const high = (d: MeasuredDrop): number => d.interval?.[1] ?? d.drop;
  const spanning: string[] = [];
  const span = ([p, d]: [string, MeasuredDrop]): void => {
    const half = d.interval ? (d.interval[1] - d.interval[0]) / 2 : 0;
    spanning.push(`${p} ${pp(d.drop)} ± ${pp(half)} pp spans ${pp(tolerance)} pp`);
  };
  // Harmful if any drop is surely above the tolerance, harmless if every one is surely within it, else uncertain.
  const judge = (drops: readonly [string, MeasuredDrop][], harmful: Verdict, harmless: Verdict): Verdict => {
    if (drops.length === 0) return 'no';
    if (drops.some(([, d]) => low(d) > tolerance)) return harmful;
    if (drops.every(([, d]) => high(d) <= tolerance)) return harmless;
    drops.filter(([, d]) => high(d) > tolerance).forEach(span);
    return 'uncertain';
  };
  const compress = judge(compression, 'no', 'yes');
  const protect = judge(faults, 'yes', 'no');
  const worst = (list: [string, MeasuredDrop][]): number | null => (list.length > 0 ? Math.max(...list.map(([, d]) => d.drop)) : null);
  return {
    name: layer.name,
    index: layer.index,
    op: layer.op,
    params: layer.params,
    flops: layer.flops,
    drops,
    compressionDrop: worst(compression),
    faultDrop: worst(faults),
    compress,
    protect,
    evidence: spanning.length > 0 ? `${spanning.join('; ')}: more seeds or images needed` : null,
  };
}
