/** 5. Budget curves: accuracy against average bits, sparsity and protection overhead, one line per method. */
import { BUDGET_AXES, budgetCurveSpec } from '../charts/budget-curve.js';
import { renderSvg } from '../charts/vega.js';
import { percent, short } from '../format.js';
import type { BudgetPlan, BudgetSection } from '../report-data.js';
import { esc, figure } from './html-util.js';
import type { Section, SectionContext } from './section.js';

const TITLES: Record<BudgetSection['kind'], string> = {
  quant: 'Mixed-precision quantization',
  prune: 'Pruning',
  protect: 'Protection against bit flips',
};

export async function budgetsSection({ data, resultsHref }: SectionContext): Promise<Section> {
  const parts = await Promise.all(data.budgets.map(async (b) => {
    const head = `<h3>${TITLES[b.kind]}</h3>`;
    if (b.curve === null && b.plan === null) {
      return `${head}<p class="missing">No <code>curve-${b.kind}.json</code> or <code>plan-${b.kind}.json</code> in this dir. <span>Written by the budget step (<code>safer budget</code>, not yet in this version of safer).</span></p>`;
    }
    const chart = b.curve === null
      ? `<p class="missing">No <code>curve-${b.kind}.json</code>: only the plan below.</p>`
      : figure(await renderSvg(budgetCurveSpec(b.kind, b.curve, b.plan), `budget-${b.kind}`), `Accuracy of the written model against ${esc(BUDGET_AXES[b.kind].title)}; bars: intervals.`, `data-chart="budget-curve" data-kind="${b.kind}"`);
    return `${head}\n<div class="budget">${chart}\n${b.plan === null ? '' : planSummary(b.plan, resultsHref)}</div>`;
  }));
  return {
    id: 'budgets',
    title: 'Budget curves',
    html: `<p>Each point is a model written under a budget and evaluated on the evaluation set; the baselines (uniform, LAMP, ...) are methods like the others.</p>\n${parts.join('\n')}`,
  };
}

function planSummary(plan: BudgetPlan, resultsHref: string): string {
  const record = (r: Record<string, number>): string => Object.entries(r).map(([k, v]) => `${esc(k)} ${short(v)}`).join(', ') || '–';
  const baselines = Object.entries(plan.baselines).map(([k, v]) => `${esc(k)} ${percent(v)}`).join(', ') || '–';
  return `<dl class="facts plan">
<dt>plan</dt><dd><a href="${esc(resultsHref)}plan-${plan.kind}.json">plan-${plan.kind}.json</a>${plan.model ? `, model <a href="${esc(resultsHref + plan.model)}">${esc(plan.model)}</a>` : ''}</dd>
<dt>budget / achieved</dt><dd>${record(plan.budget)} / ${record(plan.achieved)}</dd>
<dt>accuracy</dt><dd>${percent(plan.accuracy)} (predicted: ${record(plan.predicted)})</dd>
<dt>baselines at the same budget</dt><dd>${baselines}</dd>
<dt>additivity</dt><dd>${plan.additivity === null ? '–' : `${plan.additivity.toFixed(2)} (measured drop of the whole plan ÷ sum of the single-layer drops)`}</dd>
<dt>made by</dt><dd>${esc(plan.source)}, ${plan.evaluations} evaluations</dd>
</dl>`;
}
