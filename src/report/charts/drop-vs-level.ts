/**
 * Accuracy drop against perturbation level for one family: one line per layer. The most fragile
 * layers (largest drop at any level) get a colour, error bars and a legend entry; the others are
 * thin grey lines, so the chart stays readable with many layers.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { DropCell } from '../report-data.js';
import { cellDescription } from './heat-map.js';
import { decades } from './log-axis.js';

/** How many layers get their own colour and legend entry. */
export const HIGHLIGHTED_LAYERS = 5;

/** Tableau 10: with at most ten layers, each layer keeps its colour in every family's chart. */
const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

/** Colour of each layer: fixed over the whole report when there are at most ten layers. */
function colourScale(allLayers: readonly string[], fragile: readonly string[]): { domain: string[]; range: string[] } {
  const domain = allLayers.length <= TABLEAU10.length ? [...allLayers] : [...fragile];
  return { domain, range: TABLEAU10.slice(0, domain.length) };
}

interface LevelAxis {
  title: string;
  scale: 'linear' | 'log';
  /** Stronger perturbation to the right (fewer bits → reversed). */
  reverse: boolean;
  /** Level in axis units (ratios as percent). */
  value: (level: number) => number;
  format: string;
}

const AXES: Readonly<Record<string, LevelAxis>> = {
  prune: { title: 'weights pruned (% of the layer, smallest |w| first)', scale: 'linear', reverse: false, value: (r) => 100 * r, format: 'd' },
  prunec: { title: 'output channels pruned (% of the layer)', scale: 'linear', reverse: false, value: (r) => 100 * r, format: 'd' },
  quant: { title: 'bits (per-tensor scale); fewer to the right', scale: 'linear', reverse: true, value: (b) => b, format: 'd' },
  quantc: { title: 'bits (per-channel scales); fewer to the right', scale: 'linear', reverse: true, value: (b) => b, format: 'd' },
  bitflip: { title: 'bit error rate (per bit of float32 weights)', scale: 'log', reverse: false, value: (p) => p, format: '.0e' },
  bitflip8: { title: 'bit error rate (per bit of int8 codes)', scale: 'log', reverse: false, value: (p) => p, format: '.0e' },
  noise: { title: 'Gaussian noise σ (× std of the layer’s weights)', scale: 'linear', reverse: false, value: (s) => s, format: '.2~f' },
};

export function levelAxisOf(family: string): LevelAxis {
  return AXES[family] ?? { title: `level of ${family}`, scale: 'linear', reverse: false, value: (x) => x, format: '~g' };
}

/** The layers of a family's cells with the largest drop at any level, most fragile first. */
export function mostFragile(cells: readonly DropCell[], k = HIGHLIGHTED_LAYERS): string[] {
  const worst = new Map<string, number>();
  for (const c of cells) worst.set(c.layer, Math.max(worst.get(c.layer) ?? -Infinity, c.drop));
  return [...worst].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, k).map(([layer]) => layer);
}

/**
 * A family measured at several levels gets lines; at one level there is no line to draw, so each
 * layer's drop is a dot with its interval, layers in graph order.
 */
export function dropVsLevelSpec(family: string, cells: readonly DropCell[], confidence: number, layers: readonly string[]): TopLevelSpec {
  const levels = new Set(cells.map((c) => c.level));
  return levels.size === 1 ? singleLevelSpec(family, cells, confidence, layers) : linesSpec(family, cells, confidence, layers);
}

function singleLevelSpec(family: string, cells: readonly DropCell[], confidence: number, layers: readonly string[]): TopLevelSpec {
  const perturbation = cells[0]?.perturbation ?? family;
  const fragile = mostFragile(cells);
  const values = cells.map((c) => ({
    layer: c.layer,
    drop: 100 * c.drop,
    lo: c.interval ? 100 * c.interval[0] : 100 * c.drop,
    hi: c.interval ? 100 * c.interval[1] : 100 * c.drop,
    rank: fragile.indexOf(c.layer) === 0 && c.drop > 0 ? 'most fragile' : 'other',
    description: cellDescription(c, 'drop', confidence),
  }));
  const y = { field: 'layer', type: 'nominal' as const, sort: [...layers], title: null, axis: { labelLimit: 200 } };
  const colour = { field: 'rank', type: 'nominal' as const, scale: { domain: ['most fragile', 'other'], range: ['#d62728', '#4c78a8'] }, legend: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: perturbation, subtitle: `one level: drop and ${Math.round(confidence * 100)}% interval per layer` },
    width: 260,
    height: Math.max(60, 18 * values.length),
    data: { values },
    layer: [
      { mark: { type: 'rule', strokeDash: [3, 3], color: '#999', aria: false }, data: { values: [{ zero: 0 }] }, encoding: { x: { field: 'zero', type: 'quantitative', title: 'accuracy drop (pp)' } } },
      { mark: { type: 'rule', strokeWidth: 2, opacity: 0.45, aria: false }, encoding: { y, x: { field: 'lo', type: 'quantitative', title: 'accuracy drop (pp)' }, x2: { field: 'hi' }, color: colour } },
      { mark: { type: 'point', filled: true, size: 50, opacity: 1 }, encoding: { y, x: { field: 'drop', type: 'quantitative', title: 'accuracy drop (pp)' }, color: colour, description: { field: 'description' } } },
    ],
  };
}

function linesSpec(family: string, cells: readonly DropCell[], confidence: number, layers: readonly string[]): TopLevelSpec {
  const axis = levelAxisOf(family);
  const fragile = mostFragile(cells);
  const values = cells.filter((c) => c.level !== null).map((c) => ({
    layer: c.layer,
    x: axis.value(c.level as number),
    drop: 100 * c.drop,
    lo: c.interval ? 100 * c.interval[0] : null,
    hi: c.interval ? 100 * c.interval[1] : null,
    highlighted: fragile.includes(c.layer),
    description: cellDescription(c, 'drop', confidence),
  }));
  const levels = [...new Set(values.map((v) => v.x))].sort((a, b) => a - b);
  const x = {
    field: 'x', type: 'quantitative' as const, title: axis.title,
    scale: axis.scale === 'log' ? { type: 'log' as const, padding: 12 } : { type: 'linear' as const, reverse: axis.reverse, zero: false, nice: true, padding: 12 },
    axis: { values: axis.scale === 'log' && levels.length > 4 ? decades(levels) : levels, format: axis.format, grid: false },
  };
  const y = { field: 'drop', type: 'quantitative' as const, title: 'accuracy drop (pp)' };
  const highlighted = { field: 'highlighted', equal: true };
  const colour = {
    field: 'layer', type: 'nominal' as const, sort: fragile, title: `most fragile ${fragile.length === 1 ? 'layer' : 'layers'}`,
    scale: colourScale(layers, fragile), legend: { orient: 'right' as const, values: fragile, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: family, subtitle: `${new Set(values.map((v) => v.layer)).size} layers, ${levels.length} ${levels.length === 1 ? 'level' : 'levels'}` },
    width: 300,
    height: 200,
    data: { values },
    layer: [
      { mark: { type: 'rule', strokeDash: [3, 3], color: '#999', aria: false }, data: { values: [{ zero: 0 }] }, encoding: { y: { field: 'zero', type: 'quantitative', title: y.title } } },
      // Lines carry no description (a line's would be its first point's); the points do.
      ...(values.some((v) => !v.highlighted) ? [
        {
          transform: [{ filter: { not: highlighted } }],
          mark: { type: 'line' as const, color: '#c8c8c8', strokeWidth: 1, aria: false },
          encoding: { x, y, detail: { field: 'layer' } },
        },
        {
          transform: [{ filter: { not: highlighted } }],
          mark: { type: 'point' as const, filled: true, size: 14, color: '#b8b8b8', opacity: 1 },
          encoding: { x, y, description: { field: 'description' } },
        },
      ] : []),
      {
        transform: [{ filter: highlighted }],
        mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.55, aria: false },
        encoding: { x, y: { field: 'lo', type: 'quantitative', title: y.title }, y2: { field: 'hi' }, color: colour },
      },
      {
        transform: [{ filter: highlighted }],
        mark: { type: 'line', strokeWidth: 2.2, aria: false },
        encoding: { x, y, color: colour },
      },
      {
        transform: [{ filter: highlighted }],
        mark: { type: 'point', filled: true, size: 36, opacity: 1 },
        encoding: { x, y, color: colour, description: { field: 'description' } },
      },
    ],
  };
}
