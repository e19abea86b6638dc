/**
 * Accuracy against bit error rate (log scale), without protection and with the recommended
 * protection plan, each with its interval as a band.
 */
import type { TopLevelSpec } from 'vega-lite';
import { percent } from '../format.js';
import type { BerPoint } from '../report-data.js';
import { decades } from './log-axis.js';

/** `designBer`: the bit error rate the protection plan was made for, marked with a dashed line. */
export function berCurveSpec(points: readonly BerPoint[], protectedLabel: string, designBer: number | null = null): TopLevelSpec {
  const label = (p: BerPoint): string => (p.protected ? protectedLabel : 'no protection');
  const values = [...points].sort((a, b) => a.ber - b.ber).map((p) => ({
    ber: p.ber,
    series: label(p),
    accuracy: 100 * p.accuracy,
    lo: p.interval ? 100 * p.interval[0] : 100 * p.accuracy,
    hi: p.interval ? 100 * p.interval[1] : 100 * p.accuracy,
    description: `${label(p)} at bit error rate ${p.ber.toExponential(0)}: accuracy ${percent(p.accuracy)}${p.interval ? `, interval ${percent(p.interval[0])} to ${percent(p.interval[1])}` : ''}${p.trials !== null ? `, ${p.trials} trials` : ''}`,
  }));
  const series = [...new Set(values.map((v) => v.series))].sort((a, b) => (a === 'no protection' ? -1 : b === 'no protection' ? 1 : a.localeCompare(b)));
  const x = { field: 'ber', type: 'quantitative' as const, title: 'bit error rate (per bit of the weights, log scale)', scale: { type: 'log' as const }, axis: { values: decades(values.map((v) => v.ber)), format: '.0e' } };
  const y = { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy (%)', scale: { zero: false } };
  const colour = { field: 'series', type: 'nominal' as const, sort: series, title: null, scale: { domain: series, range: ['#d62728', '#2ca02c', '#1f77b4'] }, legend: { orient: 'top' as const, direction: 'horizontal' as const, symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 3 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 520,
    height: 260,
    data: { values },
    layer: [
      ...(designBer === null ? [] : [{
        data: { values: [{ ber: designBer, label: `plan made for ${designBer.toExponential(0)}` }] },
        layer: [
          { mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#777', aria: false }, encoding: { x } },
          { mark: { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 4, y: 4, fontSize: 11, color: '#555', aria: false }, encoding: { x, text: { field: 'label' } } },
        ],
      }]),
      {
        mark: { type: 'area', opacity: 0.18, aria: false },
        encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'accuracy (%)' }, y2: { field: 'hi' }, color: colour },
      },
      { mark: { type: 'line', strokeWidth: 2, aria: false }, encoding: { x, y, color: colour } },
      { mark: { type: 'point', filled: true, size: 40, opacity: 1 }, encoding: { x, y, color: colour, description: { field: 'description' } } },
    ],
  };
}
