/** 1. What was assessed: the model, its weight layers, the data, the seeds. */
import { count, percent, pp } from '../format.js';
import { esc, table } from './html-util.js';
import type { Section, SectionContext } from './section.js';

export function modelSummarySection({ data }: SectionContext): Section {
  const m = data.model;
  const s = data.sensitivity;
  const facts: [string, string][] = [
    ['model', m.path === null ? 'unknown' : `<code>${esc(m.path)}</code>`],
    ['weight layers', String(m.layers.length)],
    ['parameters (weight layers)', m.params === null ? 'unknown (report.json from <code>safer assess</code> gives them)' : `${count(m.params)} (${m.params.toLocaleString('en-US')})`],
    ['FLOPs per sample', m.flops === null ? 'unknown' : count(m.flops)],
    ['base accuracy', m.baseAccuracy === null ? 'unknown (needs sweep.jsonl)' : `${percent(m.baseAccuracy)}${m.baseLoss !== null ? `, loss ${m.baseLoss.toFixed(4)}` : ''}`],
    ['data', m.data.description === null ? 'unknown' : esc(m.data.description)],
    ['images evaluated', m.data.images === null ? 'unknown' : m.data.images.toLocaleString('en-US')],
    ['perturbations', s === null ? 'none measured' : s.perturbations.map((p) => `<code>${esc(p)}</code>`).join(' ')],
    ['seeds', m.seeds.length === 0 ? '–' : `${m.seeds.length} (${m.seeds.join(', ')}), used by stochastic perturbations`],
    ['harmless drop (assess tolerance)', m.tolerance === null ? '–' : `${pp(m.tolerance)} pp`],
  ];
  const withCounts = m.layers.every((l) => l.params !== null) && m.params !== null && m.params > 0;
  const layerTable = table(m.layers, [
    { header: '#', cell: (l) => String(l.index), numeric: true },
    { header: 'layer', cell: (l) => `<code>${esc(l.name)}</code>` },
    { header: 'op', cell: (l) => esc(l.op ?? '?') },
    { header: 'parameters', cell: (l) => count(l.params), numeric: true },
    ...(withCounts ? [{ header: 'share', cell: (l: (typeof m.layers)[number]) => percent((l.params as number) / (m.params as number), 1), numeric: true }] : []),
    { header: 'FLOPs / sample', cell: (l) => count(l.flops), numeric: true },
  ]);
  return {
    id: 'model',
    title: 'Model summary',
    html: [
      `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
      `<details${m.layers.length <= 12 ? ' open' : ''}><summary>Weight layers (${m.layers.length})</summary>${layerTable}</details>`,
    ].join('\n'),
  };
}
