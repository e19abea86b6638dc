/** 2. The heat map: every layer × perturbation, coloured by accuracy drop (or changed predictions, or KL). */
import { heatMapSpec, HEAT_MAP_METRICS, heatMapValue, type HeatMapMetric } from '../charts/heat-map.js';
import { renderSvg } from '../charts/vega.js';
import type { UncertaintySource } from '../report-data.js';
import { esc, figure, missing } from './html-util.js';
import type { Section, SectionContext } from './section.js';

const UNCERTAINTY_NOTE: Record<UncertaintySource, string> = {
  paired: 'paired standard errors from the images that turned right→wrong and wrong→right',
  'changed-bound': 'upper bounds: the sweep rows do not yet record which images turned right→wrong and wrong→right, so a + b is bounded by the number of changed predictions (the true intervals are at most this wide)',
  seeds: 'the spread over seeds only (std/√S); image-sampling noise is not included',
  none: 'unknown (one seed and no counts)',
};

export async function sensitivitySection({ data, dir }: SectionContext): Promise<Section> {
  const s = data.sensitivity;
  const base = { id: 'sensitivity', title: 'Sensitivity heat map' };
  if (s === null) return { ...base, html: missing('No sweep results (sweep.jsonl) in this dir.', `safer assess --out ${dir}`) };
  const metrics = (Object.keys(HEAT_MAP_METRICS) as HeatMapMetric[]).filter((m) => s.cells.every((c) => heatMapValue(c, m) !== null));
  const charts = await Promise.all(metrics.map(async (metric, i) => {
    const svg = await renderSvg(heatMapSpec(s, metric), `heat-map-${metric}`);
    return figure(svg, '', `data-chart="heat-map" data-metric="${metric}"${i === 0 ? '' : ' hidden'}`);
  }));
  const switcher = metrics.length > 1
    ? `<div class="switch" role="radiogroup" aria-label="colour by">colour by: ${metrics.map((m, i) =>
      `<label><input type="radio" name="heat-map-metric" value="${m}"${i === 0 ? ' checked' : ''}> ${esc(HEAT_MAP_METRICS[m].label)}</label>`).join(' ')}</div>`
    : '';
  const sources = s.uncertainty.map((u) => UNCERTAINTY_NOTE[u]).join('; ');
  return {
    ...base,
    html: [
      `<p>Each cell is the accuracy drop, in percentage points (pp), when that layer alone is perturbed and the model is evaluated on ${data.model.data.images?.toLocaleString('en-US') ?? 'all'} images; stochastic perturbations are averaged over seeds. Darker is more fragile; the colour scale is a square root so that small drops stay visible, and drops below 0 (noise) get the lightest colour. Hover a cell for its ${Math.round(s.confidence * 100)}% interval.</p>`,
      switcher,
      ...charts,
      `<p class="note">Intervals: ${esc(sources)}.</p>`,
    ].join('\n'),
  };
}
