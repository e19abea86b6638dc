/**
 * A budget curve: accuracy of the written model against the budget it reached (average bits,
 * global sparsity, protection overhead), one line per method, baselines included, with the interval
 * of each point. The plan that was chosen is ringed.
 */
import type { TopLevelSpec } from 'vega-lite';
import { percent } from '../format.js';
import type { BudgetCurveRow, BudgetKind, BudgetPlan } from '../report-data.js';

export const BUDGET_AXES: Readonly<Record<BudgetKind, { title: string; unit: (x: number) => number; format: string; label: string }>> = {
  quant: { title: 'average bits per weight', unit: (x) => x, format: '~g', label: 'average bits' },
  prune: { title: 'global sparsity (% of weights pruned)', unit: (x) => 100 * x, format: '~g', label: 'sparsity' },
  protect: { title: 'protection overhead (% of weights protected)', unit: (x) => 100 * x, format: '~g', label: 'overhead' },
};

/** The number of a plan's `achieved` record that its curve's x axis shows. */
export function planAchieved(plan: BudgetPlan): number | null {
  const values = Object.values(plan.achieved);
  return values.length === 1 ? (values[0] as number) : null;
}

export function budgetCurveSpec(kind: BudgetKind, rows: readonly BudgetCurveRow[], plan: BudgetPlan | null): TopLevelSpec {
  const axis = BUDGET_AXES[kind];
  const methods = [...new Set(rows.map((r) => r.method))];
  const values = rows.map((r) => ({
    method: r.method,
    x: axis.unit(r.achieved),
    accuracy: 100 * r.accuracy,
    lo: r.interval ? 100 * r.interval[0] : null,
    hi: r.interval ? 100 * r.interval[1] : null,
    description: `${r.method} at ${axis.label} ${Number(axis.unit(r.achieved).toPrecision(4))} (asked ${Number(axis.unit(r.budget).toPrecision(4))}): accuracy ${percent(r.accuracy)}${r.interval ? `, interval ${percent(r.interval[0])} to ${percent(r.interval[1])}` : ''}`,
  }));
  const x = { field: 'x', type: 'quantitative' as const, title: axis.title, scale: { zero: false, nice: true }, axis: { format: axis.format } };
  const y = { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy (%)', scale: { zero: false } };
  const colour = { field: 'method', type: 'nominal' as const, sort: methods, title: 'method', scale: { scheme: 'tableau10' }, legend: { symbolOpacity: 1 } };
  const achieved = plan === null ? null : planAchieved(plan);
  const chosen = plan === null || achieved === null ? [] : [{ x: axis.unit(achieved), accuracy: 100 * plan.accuracy, label: 'chosen plan' }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 400,
    height: 230,
    layer: [
      {
        data: { values },
        mark: { type: 'rule', strokeWidth: 1.2, opacity: 0.6, aria: false },
        encoding: { x, y: { field: 'lo', type: 'quantitative', title: y.title }, y2: { field: 'hi' }, color: colour },
      },
      { data: { values }, mark: { type: 'line', strokeWidth: 2, aria: false }, encoding: { x, y, color: colour } },
      { data: { values }, mark: { type: 'point', filled: true, size: 40, opacity: 1 }, encoding: { x, y, color: colour, description: { field: 'description' } } },
      ...(chosen.length > 0 ? [
        {
          data: { values: chosen },
          mark: { type: 'point' as const, shape: 'circle', size: 320, strokeWidth: 2, color: '#222', filled: false, aria: false },
          encoding: { x: { ...x, field: 'x' }, y },
        },
        // The label twice: a thick white stroke under the text keeps it legible over the lines.
        ...[{ stroke: 'white', strokeWidth: 4 }, {}].map((halo) => ({
          data: { values: chosen },
          mark: { type: 'text' as const, dx: 14, dy: -14, align: 'left' as const, fontSize: 12, aria: false, ...halo },
          encoding: { x: { ...x, field: 'x' }, y, text: { field: 'label' } },
        })),
      ] : []),
    ],
  };
}
