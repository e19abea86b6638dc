/** 3. How the drop grows with the perturbation level, per family, one line per layer. */
import { dropVsLevelSpec, HIGHLIGHTED_LAYERS } from '../charts/drop-vs-level.js';
import { renderSvg } from '../charts/vega.js';
import { figure, missing } from './html-util.js';
import type { Section, SectionContext } from './section.js';

export async function dropVsLevelSection({ data, dir }: SectionContext): Promise<Section> {
  const s = data.sensitivity;
  const base = { id: 'levels', title: 'Drop against perturbation level' };
  if (s === null) return { ...base, html: missing('No sweep results (sweep.jsonl) in this dir.', `safer assess --out ${dir}`) };
  const charts = await Promise.all(s.families.map(async (family) => {
    const cells = s.cells.filter((c) => c.family === family);
    return figure(await renderSvg(dropVsLevelSpec(family, cells, s.confidence, s.layers), `levels-${family}`), '', `data-chart="drop-vs-level" data-family="${family}"`);
  }));
  const single = s.families.filter((f) => new Set(s.cells.filter((c) => c.family === f).map((c) => c.level)).size === 1);
  return {
    ...base,
    html: [
      `<p>${lead(s.layers.length, single.length === s.families.length)} The dashed line is no drop.</p>`,
      `<div class="grid">${charts.join('\n')}</div>`,
      single.length > 0 ? `<p class="note">${single.join(', ')}: one level measured, so a dot per layer (red: the most fragile) instead of a line; <code>safer assess --perturb</code> with more levels (e.g. <code>prune:0.3,prune:0.5,prune:0.7,prune:0.9</code>) draws the curve.</p>` : '',
    ].join('\n'),
  };
}

function lead(layers: number, allSingle: boolean): string {
  if (allSingle) return 'Every family was measured at one level, so each chart shows the drop of every layer with its interval.';
  if (layers <= HIGHLIGHTED_LAYERS) return 'One line per layer, in the same colour in every chart, with its intervals as bars.';
  return `One line per layer. The ${HIGHLIGHTED_LAYERS} layers with the largest drop in each family are coloured${layers <= 10 ? ' (each layer keeps its colour in every chart)' : ''}, with their intervals as bars; the others are grey (hover for names).`;
}
