/**
 * Sensitivity heat map: layers (rows, graph order) × perturbations (columns), coloured by a metric
 * on a sequential scale from 0, the value written in each cell when it fits. Hover text (the marks'
 * aria-label): layer, perturbation, value, and for drops the interval and where it comes from.
 */
import type { TopLevelSpec } from 'vega-lite';
import { pp, short } from '../format.js';
import type { DropCell, Sensitivity, UncertaintySource } from '../report-data.js';
import { textWidth } from './text-width.js';

export const HEAT_MAP_METRICS = {
  drop: { title: 'accuracy drop (pp)', label: 'accuracy drop' },
  changed: { title: 'predictions changed (%)', label: 'changed predictions' },
  kl: { title: 'KL divergence (nats)', label: 'KL divergence' },
} as const;
export type HeatMapMetric = keyof typeof HEAT_MAP_METRICS;

/** ColorBrewer OrRd (9 classes), from near-white at no drop to dark red, interpolated. */
const SEQUENTIAL = ['#fff7ec', '#fee8c8', '#fdd49e', '#fdbb84', '#fc8d59', '#ef6548', '#d7301f', '#b30000', '#7f0000'];

const UNCERTAINTY_TEXT: Record<UncertaintySource, string> = {
  paired: 'paired standard error',
  'changed-bound': 'at most: bound from the changed predictions',
  seeds: 'seed spread only',
  none: 'unknown',
};

/** The value a cell shows for a metric, in display units; null when the sweep has none. */
export function heatMapValue(cell: DropCell, metric: HeatMapMetric): number | null {
  switch (metric) {
    case 'drop':
      return 100 * cell.drop;
    case 'changed':
      return cell.unchanged === null ? null : 100 * (1 - cell.unchanged);
    case 'kl':
      return cell.kl;
  }
}

/** The hover text of one cell; starts with "<layer> × <perturbation>:". */
export function cellDescription(cell: DropCell, metric: HeatMapMetric, confidence: number): string {
  const seeds = cell.seeds > 1 ? `, mean of ${cell.seeds} seeds (std ${pp(cell.std)} pp)` : '';
  const head = `${cell.layer} × ${cell.perturbation}:`;
  if (metric !== 'drop') {
    const value = heatMapValue(cell, metric);
    return `${head} ${HEAT_MAP_METRICS[metric].label} ${value === null ? 'not measured' : metric === 'kl' ? short(value) : value.toFixed(2) + '%'}; accuracy drop ${pp(cell.drop)} pp${seeds}`;
  }
  const interval = cell.interval === null
    ? 'interval unknown'
    : `${Math.round(confidence * 100)}% interval ${pp(cell.interval[0])} to ${pp(cell.interval[1])} pp (${UNCERTAINTY_TEXT[cell.seSource]})`;
  return `${head} accuracy drop ${pp(cell.drop)} pp; ${interval}${seeds}; ${cell.images} images`;
}

/** The number written in a cell: 2 decimals below 10, 1 below 100, none above; "0" for exactly 0. */
function cellText(value: number, metric: HeatMapMetric): string {
  if (value === 0) return '0';
  if (metric === 'kl') return short(value);
  const magnitude = Math.abs(value);
  return value.toFixed(magnitude < 10 ? 2 : magnitude < 100 ? 1 : 0).replace(/^-0\.00$/, '0.00').replace('-', '−');
}

export function heatMapSpec(sensitivity: Sensitivity, metric: HeatMapMetric): TopLevelSpec {
  const { layers, perturbations } = sensitivity;
  const rowHeight = layers.length <= 30 ? 22 : layers.length <= 80 ? 14 : 8;
  const longest = Math.max(...perturbations.map((p) => textWidth(p, 12)));
  // The page is about 1,100 px wide: the layer names, the legend, and the columns share it.
  const labels = Math.min(240, Math.max(...layers.map((l) => textWidth(l, 12))));
  const columnWidth = Math.max(22, Math.min(72, (1000 - labels - 120) / perturbations.length));
  const fontSize = columnWidth >= 44 ? 10.5 : columnWidth >= 32 ? 9 : 0;
  const values = sensitivity.cells.map((cell) => {
    const value = heatMapValue(cell, metric);
    return {
      layer: cell.layer,
      perturbation: cell.perturbation,
      value,
      colour: value === null ? null : Math.max(0, value),
      text: value === null ? '' : cellText(value, metric),
      description: cellDescription(cell, metric, sensitivity.confidence),
    };
  });
  const max = Math.max(1e-9, ...values.map((v) => v.colour ?? 0));
  const showText = rowHeight >= 14 && fontSize > 0;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: columnWidth * perturbations.length,
    height: rowHeight * layers.length,
    data: { values },
    encoding: {
      y: { field: 'layer', type: 'nominal', sort: layers, title: null, axis: { labelLimit: 240, ticks: false, domain: false } },
      x: {
        field: 'perturbation', type: 'nominal', sort: perturbations, title: null,
        axis: { orient: 'top', labelAngle: longest > columnWidth - 6 ? -40 : 0, labelAlign: longest > columnWidth - 6 ? 'left' : 'center', ticks: false, domain: false },
      },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'colour', type: 'quantitative', title: HEAT_MAP_METRICS[metric].title,
            scale: { type: 'sqrt', range: SEQUENTIAL, domain: [0, max], nice: false, interpolate: 'hcl' },
            legend: { orient: 'right', gradientLength: Math.min(200, Math.max(80, rowHeight * layers.length)), format: metric === 'kl' ? '.2~g' : '.1~f' },
          },
          description: { field: 'description' },
        },
      },
      ...(showText ? [{
        mark: { type: 'text' as const, fontSize, aria: false },
        encoding: {
          text: { field: 'text' },
          color: { condition: { test: `datum.colour > ${0.45 * max}`, value: 'white' }, value: '#222' },
        },
      }] : []),
    ],
  };
}
