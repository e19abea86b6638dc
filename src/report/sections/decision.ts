/** 7. THE DECISION: per layer, bits, pruning ratio and protection, with the plan files and a command to check it. */
import { count, pp } from '../format.js';
import type { DecisionRow } from '../report-data.js';
import { esc, missing, table, type Column } from './html-util.js';
import type { Section, SectionContext } from './section.js';

export function decisionSection({ data, resultsHref, dir }: SectionContext): Section {
  const d = data.decision;
  const base = { id: 'decision', title: 'The decision' };
  if (d.source === 'none') {
    return { ...base, html: missing('No per-layer decision: neither budget plans nor the verdict of report.json are here.', `safer assess --out ${dir}`) };
  }
  const has = (key: 'bits' | 'pruneRatio' | 'protect' | 'compress'): boolean => d.rows.some((r) => r[key] !== null);
  const yesNo = (v: boolean | null, yes: string, no: string): string => (v === null ? '–' : v ? `<span class="yes">${yes}</span>` : no);
  const columns: Column<DecisionRow>[] = [
    { header: 'layer', cell: (r) => `<code>${esc(r.layer)}</code>` },
    { header: 'parameters', cell: (r) => count(r.params), numeric: true },
    ...(has('bits') ? [{ header: 'bits', cell: (r: DecisionRow) => (r.bits === null ? '–' : r.bits === 32 ? '32 (float)' : String(r.bits)), numeric: true }] : []),
    ...(has('pruneRatio') ? [{ header: 'pruned', cell: (r: DecisionRow) => (r.pruneRatio === null ? '–' : `${(100 * r.pruneRatio).toFixed(0)}%`), numeric: true }] : []),
    ...(d.source === 'assess-verdict' && has('compress') ? [{ header: 'compress', cell: (r: DecisionRow) => yesNo(r.compress, 'compress', 'keep') }] : []),
    ...(has('protect') ? [{ header: 'protect', cell: (r: DecisionRow) => yesNo(r.protect, 'PROTECT', 'no') }] : []),
  ];
  const tolerance = data.model.tolerance;
  const achieved = (kind: 'quant' | 'prune' | 'protect'): number | undefined => {
    const plan = data.budgets.find((b) => b.kind === kind)?.plan;
    return plan ? Object.values(plan.achieved)[0] : undefined;
  };
  const footerCell = (key: string): string => {
    if (key === 'layer') return 'whole model';
    if (key === 'parameters') return count(data.model.params);
    const value = key === 'bits' ? achieved('quant') : key === 'pruned' ? achieved('prune') : key === 'protect' ? achieved('protect') : undefined;
    if (value === undefined) return '';
    return key === 'bits' ? `${value.toFixed(2)} average` : `${(100 * value).toFixed(1)}%${key === 'protect' ? ' of weights' : ''}`;
  };
  const footer = d.source === 'plans' ? columns.map((c) => footerCell(c.header)) : null;
  const intro = d.source === 'plans'
    ? `<p>Per layer, what the budget plans chose. Plans: ${d.plans.map((p) => `<a href="${esc(resultsHref)}${p.file}">${p.file}</a>${p.model ? ` (model <a href="${esc(resultsHref + p.model)}">${esc(p.model)}</a>)` : ''}`).join(', ')}.</p>`
    : `<p>No budget plans yet, so this is the verdict of <code>safer assess</code>: <b>compress</b> when every pruning and quantization drop measured for the layer is at most ${pp(tolerance)} pp, <b>protect</b> when a bit-flip or noise drop exceeds it. Budget plans (<code>plan-quant.json</code>, <code>plan-prune.json</code>, <code>plan-protect.json</code>) replace it with bits, ratios and protection per layer.</p>`;
  const snippets = d.snippets.length > 0
    ? `<p>Check it on the same data:</p>\n${d.snippets.map((s) => `<pre class="snippet"><code>${esc(s)}</code></pre>`).join('\n')}`
    : '';
  return { ...base, html: [intro, table(d.rows, columns, 'decision', footer), snippets].join('\n') };
}
