/**
 * 4. Criteria against the truth: a scatter per recommended criterion, the table of every criterion's
 * Spearman ρ per perturbation on this model with the reliability of each column, and each one's cost.
 */
import { criterionScatterSpec } from '../charts/criterion-scatter.js';
import { renderSvg } from '../charts/vega.js';
import { rho, seconds } from '../format.js';
import type { CriteriaSection, CriterionSummary, Reliability } from '../report-data.js';
import { esc, figure, missing } from './html-util.js';
import type { Section, SectionContext } from './section.js';

export async function criteriaSection({ data, dir }: SectionContext): Promise<Section> {
  const base = { id: 'criteria', title: 'Criteria against the measured truth' };
  const c = data.criteria;
  if (c === null) return { ...base, html: missing('No criterion scores (scores.json) in this dir.', `safer score --out ${dir}/scores.json`) };
  const scatters = await Promise.all(c.recommended.map(async (r) => {
    const cost = c.criteria.find((k) => k.name === r.criterion)?.seconds ?? null;
    return figure(await renderSvg(criterionScatterSpec(r, c.agreement, cost), `criterion-${r.family}`), '', `data-chart="criterion-scatter" data-family="${esc(r.family)}"`);
  }));
  const noSweep = data.sensitivity === null
    ? missing('Without sweep results there is no truth to compare the scores with.', `safer assess --out ${dir}`)
    : '';
  return {
    ...base,
    html: [
      '<p>safer recommends one criterion per perturbation family, chosen over the whole model zoo (<code>docs/benchmark.md</code>): the cheapest within 0.05 of the best mean Spearman ρ. Below, each recommended criterion\'s scores against this model\'s measured drops, then every computed criterion.</p>',
      noSweep,
      scatters.length > 0 ? `<div class="grid">${scatters.join('\n')}</div>` : '',
      data.sensitivity !== null ? `<div class="wide">${agreementTables(c)}</div>` : '',
      `<p class="note">ρ is Spearman's rank correlation over this model's ${data.model.layers.length} layers (–: fewer than 3 layers with a score, or drops that are all equal). With few layers it is coarse. <b>Reliability</b> is how well the measured ranking of layers would repeat on new data: the expected ρ between two re-measurements, simulated from the drops and their standard errors, where ≥ marks a lower bound (the errors are upper bounds); the <b>noise ceiling</b> is the expected ρ of the true ranking against a measured one, the most a criterion can be expected to reach. Cost is this run's wall time alone, and the images passed forward and backward.</p>`,
    ].join('\n'),
  };
}

/** A column of the agreement table: one perturbation, or the levels of a family (ρ averaged, as `safer bench` does). */
interface AgreementColumn {
  label: string;
  perturbations: string[];
}

/** Above this many perturbations, the table shows families and the levels go into a folded table. */
const MAX_LEVEL_COLUMNS = 8;

function agreementTables(c: CriteriaSection): string {
  const perturbations = [...new Set(c.agreement.map((a) => a.perturbation))];
  const levels = perturbations.map((p) => ({ label: p, perturbations: [p] }));
  if (perturbations.length <= MAX_LEVEL_COLUMNS) return agreementTable(c, levels);
  const families = [...new Set(perturbations.map((p) => p.split(':')[0] as string))].map((f) => ({
    label: f,
    perturbations: perturbations.filter((p) => p.split(':')[0] === f),
  }));
  return [
    agreementTable(c, families),
    '<p class="note">ρ per family: the mean over its levels. Reliability per family: the range over its levels.</p>',
    `<details><summary>Every level (${perturbations.length} columns)</summary><div class="wide">${agreementTable(c, levels)}</div></details>`,
  ].join('\n');
}

function agreementTable(c: CriteriaSection, columns: readonly AgreementColumn[]): string {
  const recommendedFor = (name: string): string[] => c.recommended.filter((r) => r.criterion === name).map((r) => r.family);
  const rhoOf = (name: string, column: AgreementColumn): number | null => {
    const values = column.perturbations
      .map((p) => c.agreement.find((a) => a.criterion === name && a.perturbation === p)?.spearman ?? null)
      .filter((v): v is number => v !== null);
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
  };
  const meanRho = (k: CriterionSummary): number => {
    const values = columns.map((col) => rhoOf(k.name, col)).filter((v): v is number => v !== null);
    return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : -Infinity;
  };
  const best = new Map(columns.map((col) => [col.label, Math.max(...c.criteria.map((k) => rhoOf(k.name, col) ?? -Infinity))]));
  const rows = [...c.criteria].sort((a, b) => meanRho(b) - meanRho(a) || a.name.localeCompare(b.name)).map((k) => {
    const badge = recommendedFor(k.name).map((f) => `<span class="badge" title="recommended for ${esc(f)}">${esc(f)}</span>`).join(' ');
    const cells = columns.map((col) => {
      const value = rhoOf(k.name, col);
      const strong = value !== null && value === best.get(col.label);
      return `<td class="num rho" style="${rhoStyle(value)}">${strong ? '<b>' : ''}${rho(value)}${strong ? '</b>' : ''}</td>`;
    });
    const passes = k.passes === null ? '–' : `${k.passes.forward.toLocaleString('en-US')} / ${k.passes.backward.toLocaleString('en-US')}`;
    const error = k.error === null ? '' : ` <span class="error" title="${esc(k.error)}">failed</span>`;
    return `<tr><td><code>${esc(k.name)}</code> ${badge}${error}</td><td>${esc(k.family)}</td><td class="num">${seconds(k.seconds)}</td><td class="num">${passes}</td>${cells.join('')}</tr>`;
  });
  const reliabilityRow = (label: string, value: (r: Reliability) => number | null, title: string): string =>
    `<tr class="truth"><td colspan="4" title="${esc(title)}">${label}</td>${columns.map((col) => {
      const known = col.perturbations
        .map((p) => c.reliability.find((x) => x.perturbation === p))
        .filter((r): r is Reliability => r !== undefined && value(r) !== null);
      if (known.length === 0) return '<td class="num">unknown</td>';
      const bound = known.every((r) => r.kind === 'lower-bound') ? '≥ ' : known.every((r) => r.kind === 'upper-bound') ? '≤ ' : '';
      const numbers = known.map((r) => value(r) as number);
      const low = Math.min(...numbers).toFixed(2);
      const high = Math.max(...numbers).toFixed(2);
      return `<td class="num">${bound}${low === high ? low : `${low}–${high}`}</td>`;
    }).join('')}</tr>`;
  return [
    '<table class="agreement"><thead><tr><th>criterion</th><th>family</th><th class="num">cost</th><th class="num" title="images passed forward / backward">passes f / b</th>',
    columns.map((col) => `<th class="num">ρ ${esc(col.label)}</th>`).join(''),
    '</tr></thead><tbody>',
    rows.join('\n'),
    reliabilityRow('reliability of the measured ranking', (r) => r.value, 'expected ρ between two re-measurements of the drops'),
    reliabilityRow('noise ceiling', (r) => r.ceiling, 'expected ρ of the true ranking against a measured one: about the best any criterion can reach'),
    '</tbody></table>',
  ].join('\n');
}

/** A faint diverging background: blue for ρ > 0, red for ρ < 0. */
function rhoStyle(value: number | null): string {
  if (value === null) return '';
  const alpha = Math.min(1, Math.abs(value)) * 0.35;
  return value >= 0 ? `background: rgba(49, 130, 189, ${alpha.toFixed(2)})` : `background: rgba(214, 39, 40, ${alpha.toFixed(2)})`;
}
