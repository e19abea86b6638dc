/** 8. How to get these numbers again: command, versions, hashes, seeds, time. */
import { seconds } from '../format.js';
import { esc } from './html-util.js';
import type { Section, SectionContext } from './section.js';

export function reproducibilitySection({ data }: SectionContext, render: { command: string | null; seconds: number | null }): Section {
  const r = data.reproducibility;
  const v = r.versions;
  const code = (text: string | null): string => (text === null ? 'not recorded' : `<code>${esc(text)}</code>`);
  const facts: [string, string][] = [
    ['results made by', r.command === null ? 'not recorded (report.json has no command line)' : code(r.command)],
    ['report made by', render.command === null ? esc(data.generated.by) : code(render.command)],
    ['versions', esc([`results: safer ${v.sweep.join(', ') || '?'} (sweep)`, `${v.scores ?? '?'} (scores)`, `report: safer ${v.report}`, `Node ${v.node}`, `Vega ${v.vega}`, `Vega-Lite ${v.vegaLite}`].join('; '))],
    ['model sha256', code(r.modelSha256)],
    ['data sha256', code(r.dataSha256)],
    ['seeds', r.seeds.length === 0 ? '–' : r.seeds.join(', ')],
    ['time taken', `sweep ${seconds(r.seconds.sweep)}, criteria ${seconds(r.seconds.criteria)}${render.seconds === null ? '' : `, charts ${seconds(render.seconds)}`}`],
    ['generated', esc(data.generated.at)],
    ['results dir', code(data.source.dir)],
  ];
  return {
    id: 'reproducibility',
    title: 'Reproducibility',
    html: `<dl class="facts small">${facts.map(([k, val]) => `<dt>${k}</dt><dd>${val}</dd>`).join('')}</dl>`,
  };
}
