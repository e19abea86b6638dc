/** Markdown rendering of a BenchTable. JSON is the table itself. */
import { perturbationFamily } from '../perturb/index.js';
import type { Estimate } from './bootstrap.js';
import { COST_RATIO, MIN_QUALIFIED_MODELS } from './recommend.js';
import { DEFAULT_PLAN } from './regret.js';
import type { BenchCell, BenchTable } from './types.js';

export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '–';
  if (s < 0.01) return `${(s * 1000).toPrecision(2)} ms`;
  if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 100) return `${s.toPrecision(3)} s`;
  return `${s.toFixed(0)} s`;
}

function formatEstimate(e: Estimate | null, withCi = true): string {
  if (!e) return '–';
  const v = (x: number): string => (x >= 0 ? ' ' : '') + x.toFixed(2);
  if (!withCi || e.n < 2) return v(e.mean).trim();
  return `${v(e.mean).trim()} [${e.low.toFixed(2)}, ${e.high.toFixed(2)}]`;
}

/** An accuracy difference in percentage points with its interval. */
function formatPoints(e: Estimate): string {
  const v = (x: number) => (100 * x).toFixed(2);
  return e.n < 2 ? v(e.mean) : `${v(e.mean)} [${v(e.low)}, ${v(e.high)}]`;
}

function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[]): string {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), `|${sep.join('|')}|`, ...rows.map(line)].join('\n');
}

function withMarks(text: string, frontier: boolean, targeted: boolean): string {
  const marks = (frontier ? '★' : '') + (targeted ? '◆' : '');
  return marks ? `${text} ${marks}` : text;
}

const byRho = (a: BenchCell, b: BenchCell): number => (b.spearman?.mean ?? -Infinity) - (a.spearman?.mean ?? -Infinity) || a.criterion.localeCompare(b.criterion);

/** The whole table as Markdown: an overview of mean ρ, one detailed table per column, the frontiers, notes. */
export function renderBenchMarkdown(table: BenchTable): string {
  const out: string[] = [];
  const pct = Math.round(table.bootstrap.confidence * 100);
  const layers = table.models.reduce((s, m) => s + m.truth_layers, 0);
  out.push('# Layer-importance criteria against measured accuracy drops', '');
  out.push(
    `${table.models.length} model(s), ${layers} layer(s) with ground truth, ${table.criteria.length} criteria, ` +
      `columns by perturbation ${table.by === 'family' ? 'family (levels averaged within each model)' : 'level'}.`,
    `Per model and perturbation, over the layers: Spearman ρ, Kendall τ-b, top-k precision (k = ceil(${Math.round(table.top_k_fraction * 100)}% of layers), ` +
      'ties broken at random, expected value) and NDCG (drops as gains, clipped at 0). ' +
      `Cells: mean over models [${pct}% percentile bootstrap CI over models, ${table.bootstrap.resamples} resamples, seed ${table.bootstrap.seed}]. ` +
      'Cost: mean seconds per model to compute the criterion alone. ' +
      `★ = on the cost-vs-ρ frontier (costs under ${formatSeconds(table.cost_floor)} count as equal); ◆ = the criterion models this perturbation family.`,
    `Only cells (model × perturbation level) whose ranking of layers by accuracy drop has reliability ≥ ${table.min_reliability} are judged on ` +
      '(reliability: the expected ρ between two re-measurements of the drops, from their standard errors; ceiling: the expected ρ of the true ranking ' +
      'against the measured one, what a perfect criterion reaches). ρ loss and ρ KL: Spearman ρ against the mean loss increase and KL divergence, over every cell.',
    '',
  );

  if (table.reliability.length > 0) {
    out.push('## Reliability of the ground truth', '');
    const columnOf = (r: BenchTable['reliability'][number]) => (table.by === 'family' ? r.family : r.perturbation);
    const rows = table.columns.map((column) => {
      const inColumn = table.reliability.filter((r) => columnOf(r) === column);
      const known = inColumn.filter((r) => r.reliability !== null);
      const qualified = inColumn.filter((r) => r.qualified);
      const range = (values: number[]) => (values.length === 0 ? '–' : `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`);
      return [
        column,
        `${qualified.length} of ${inColumn.length}`,
        range(known.map((r) => r.reliability as number)),
        range(qualified.map((r) => r.ceiling as number)),
        qualified.map((r) => `${modelName(r.model)} ${r.perturbation}`).join(', ') || 'none',
      ];
    });
    out.push(markdownTable(['column', `cells ≥ ${table.min_reliability}`, 'reliability range', 'ceiling range (qualified)', 'qualified cells'], rows, ['l', 'r', 'r', 'r', 'l']), '');
  }

  if (table.recommendations.length > 0) {
    out.push(
      '## Recommendation',
      '',
      `Per column, the cheapest criterion whose mean ρ is within ${table.recommendation_tolerance} of the best one's ` +
        '(criteria scored on every model compete; the random floor does not; costs under the cost floor, or within ' +
        `${COST_RATIO}× of the cheapest eligible criterion's, count as equal, and then the higher ρ wins). ` +
        `Judged on the qualified cells when they come from at least ${MIN_QUALIFIED_MODELS} models; otherwise on every cell, ` +
        'and then the evidence does not support the pick (marked "not supported").',
      '',
    );
    const rows = table.recommendations.map((r) => [
      r.perturbation,
      r.criterion,
      formatSeconds(r.seconds),
      formatEstimate(r.spearman),
      r.best.criterion === r.criterion ? '(itself)' : `${r.best.criterion}: ${formatEstimate(r.best.spearman)}, ${formatSeconds(r.best.seconds)}`,
      r.regret ? formatPoints(r.regret) : '–',
      `${r.evidence.cells} of ${r.evidence.total} cells, ${r.evidence.models} model(s)${r.supported ? '' : ': not supported, judged on every cell'}`,
    ]);
    out.push(markdownTable(
      ['column', 'recommended', 'cost', 'Spearman ρ', 'best ρ, at its cost', 'budget regret (pp)', 'evidence (qualified cells)'],
      rows, ['l', 'l', 'r', 'r', 'l', 'r', 'l'],
    ), '');
  }

  if (table.for_check.length > 0) out.push(...renderForCheck(table));

  if (table.regret.length > 0) {
    out.push(
      '## Budget regret',
      '',
      'Accuracy of the exact plan built from a criterion\'s scores minus that of the plan built from the measured drops (the oracle), ' +
        `at the same budget, in percentage points: mean over the (model, budget) points [${pct}% bootstrap CI], and the worst point. ` +
        `"${DEFAULT_PLAN}" is the default plan (measured costs, refined).`,
      '',
    );
    out.push(markdownTable(['kind', 'column', 'plan from', 'points', 'regret (pp)', 'worst (pp)'], table.regret.map((r) => [
      r.kind, r.column, r.criterion, String(r.points), formatPoints(r.regret), (100 * r.worst).toFixed(2),
    ]), ['l', 'l', 'l', 'r', 'r', 'r']), '');
  }

  if (table.columns.length > 0) {
    out.push('## Spearman ρ overview', '');
    const cellAt = new Map(table.cells.map((c) => [`${c.criterion}\0${c.perturbation}`, c]));
    const frontierAt = new Set(table.frontier.flatMap((f) => f.points.map((p) => `${p.criterion}\0${f.perturbation}`)));
    const criteria = [...table.criteria].sort((a, b) => a.seconds - b.seconds || a.name.localeCompare(b.name));
    const rows = criteria.map((c) => [
      c.name,
      c.family,
      formatSeconds(c.seconds),
      ...table.columns.map((col) => {
        const cell = cellAt.get(`${c.name}\0${col}`);
        if (!cell) return '';
        return withMarks(formatEstimate(cell.spearman, false), frontierAt.has(`${c.name}\0${col}`), cell.targeted);
      }),
    ]);
    out.push(markdownTable(['criterion', 'kind', 'cost', ...table.columns], rows, ['l', 'l', 'r', ...table.columns.map(() => 'r' as const)]), '');
  }

  for (const column of table.columns) {
    const cells = table.cells.filter((c) => c.perturbation === column).sort(byRho);
    const models = Math.max(0, ...cells.map((c) => c.models));
    const levels = [...new Set(cells.flatMap((c) => c.levels))].map((level) => {
      const seeds = table.rows.filter((r) => r.perturbation === level).map((r) => r.seeds);
      const lo = Math.min(...seeds);
      const hi = Math.max(...seeds);
      return hi > 1 ? `${level} (${lo === hi ? lo : `${lo}–${hi}`} seeds)` : level;
    });
    out.push(`## ${column}`, '', `${models} model(s); level${levels.length > 1 ? 's' : ''}: ${levels.join(', ')}.`, '');
    const frontier = new Set(table.frontier.find((f) => f.perturbation === column)?.points.map((p) => p.criterion) ?? []);
    const family = new Map(table.criteria.map((c) => [c.name, c.family]));
    const rows = cells.map((c) => [
      withMarks(c.criterion, frontier.has(c.criterion), c.targeted),
      family.get(c.criterion) ?? '',
      formatSeconds(c.seconds),
      formatEstimate(c.spearman),
      formatEstimate(c.ceiling, false),
      formatEstimate(c.kendall),
      formatEstimate(c.top_k),
      formatEstimate(c.ndcg),
      formatEstimate(c.spearman_loss, false),
      formatEstimate(c.spearman_kl, false),
      c.regret ? (100 * c.regret.mean).toFixed(2) : '–',
      `${c.cells.qualified}/${c.cells.total}`,
      String(c.models),
      String(c.layers),
    ]);
    out.push(markdownTable(
      ['criterion', 'kind', 'cost', 'Spearman ρ', 'ceiling', 'Kendall τ-b', 'top-k', 'NDCG', 'ρ loss', 'ρ KL', 'regret (pp)', 'cells', 'models', 'layers'],
      rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ), '');
    const points = table.frontier.find((f) => f.perturbation === column)?.points ?? [];
    if (points.length > 0) {
      out.push(`Frontier (cheapest first): ${points.map((p) => `${p.criterion} (${formatSeconds(p.seconds)}, ρ ${p.spearman.toFixed(2)})`).join(' → ')}`, '');
    }
  }

  if (table.notes.length > 0) out.push('## Notes', '', ...table.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

const modelName = (model: string): string => model.split('/').slice(-2, -1)[0] ?? model;

/** The check of `safer score --for` on the reliable cells: what --for should compute per column, every candidate, the shortfalls. */
function renderForCheck(table: BenchTable): string[] {
  const { min_reliability: minReliability, tolerance } = table.for_check_rule;
  const gap = (x: number) => x.toFixed(2);
  const out = [
    '## The criterion for one perturbation (`safer score --for`)',
    '',
    `Every cell with reliability ≥ ${minReliability}, against each criterion given as results of \`safer score --for\` at its perturbation ` +
      `(instanced there, where the criterion models one): the criterion is good enough on a cell where its Spearman ρ is within ${tolerance} ` +
      'of the cell\'s ceiling. Per column, --for should compute the criterion good enough on the most cells (among those checked on all of them), ' +
      `then the cheapest (costs within ${COST_RATIO}× or under the cost floor count as equal), then the one with the smaller median shortfall; ` +
      `a column whose reliable cells come from fewer than ${MIN_QUALIFIED_MODELS} models gets none.`,
    '',
    markdownTable(['column', 'for recommended', 'cost', 'cells', `within ${tolerance}`, 'median ceiling − ρ', 'worst ceiling − ρ'], table.for_recommendations.map((r) => [
      r.perturbation, r.criterion_id, formatSeconds(r.seconds), String(r.cells), String(r.within), gap(r.median_gap), gap(r.worst_gap),
    ]), ['l', 'l', 'r', 'r', 'r', 'r', 'r']),
    '',
    'Every criterion checked:',
    '',
    markdownTable(['column', 'criterion', 'cost', 'cells', `within ${tolerance}`, 'median ceiling − ρ', 'worst ceiling − ρ'], table.for_recommendations.flatMap((r) => r.candidates.map((c) => [
      r.perturbation, c.criterion_id, formatSeconds(c.seconds), String(c.cells), String(c.within), gap(c.median_gap), gap(c.worst_gap),
    ])), ['l', 'l', 'r', 'r', 'r', 'r', 'r']),
    '',
  ];
  const picked = new Set(table.for_recommendations.map((r) => `${r.perturbation}\0${r.criterion_id}`));
  const columnOf = (perturbation: string): string => (table.by === 'family' ? perturbationFamily(perturbation) : perturbation);
  const short = table.for_check.filter((r) => !r.within && picked.has(`${columnOf(r.perturbation)}\0${r.criterion_id}`)).sort((a, b) => b.gap - a.gap);
  if (short.length > 0) {
    out.push(`Cells where the recommended one falls short by more than ${tolerance}:`, '');
    out.push(markdownTable(['model', 'perturbation', 'criterion', 'reliability', 'ceiling', 'ρ', 'ceiling − ρ'], short.map((r) => [
      modelName(r.model), r.perturbation, r.criterion, r.reliability.toFixed(2), r.ceiling.toFixed(2), r.spearman.toFixed(2), gap(r.gap),
    ]), ['l', 'l', 'l', 'r', 'r', 'r', 'r']), '');
  }
  return out;
}
