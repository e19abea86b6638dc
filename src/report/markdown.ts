/** report.md: the report's numbers as Markdown tables, for a terminal, a pull request or a diff. */
import { count, percent, pp, rho, seconds } from './format.js';
import type { ReportData } from './report-data.js';

export function renderReportMarkdown(data: ReportData): string {
  const m = data.model;
  const s = data.sensitivity;
  const out: string[] = [
    `# Layer sensitivity of ${m.path ?? 'a model'}`,
    '',
    `${m.layers.length} weight layers, ${count(m.params)} parameters, ${count(m.flops)} FLOPs per sample. Base accuracy ${percent(m.baseAccuracy)} on ${m.data.images ?? '?'} images (${m.data.description ?? 'data unknown'}). Seeds: ${m.seeds.join(', ') || '–'}.`,
    '',
    '## Accuracy drop per layer (percentage points)',
    '',
  ];
  if (s === null) out.push('No sweep results (sweep.jsonl); `safer assess` writes them.', '');
  else {
    out.push(
      `Drop when the layer alone is perturbed; ± is the half-width of the ${Math.round(s.confidence * 100)}% interval (${s.uncertainty.join(', ')}: see report.html).`,
      '',
      `| layer | ${s.perturbations.join(' | ')} |`,
      `|---|${s.perturbations.map(() => '--:').join('|')}|`,
      ...s.layers.map((layer) => `| ${layer} | ${s.perturbations.map((p) => {
        const c = s.cells.find((x) => x.layer === layer && x.perturbation === p);
        if (!c) return '–';
        return c.interval ? `${pp(c.drop)} ± ${pp((c.interval[1] - c.interval[0]) / 2)}` : pp(c.drop);
      }).join(' | ')} |`),
      '',
    );
  }
  const c = data.criteria;
  out.push('## Criteria against the measured drops (Spearman ρ)', '');
  if (c === null) out.push('No criterion scores (scores.json); `safer score` writes them.', '');
  else if (s === null) out.push('Scores without sweep results: nothing to compare them with.', '');
  else {
    out.push(
      `| criterion | cost | ${s.perturbations.join(' | ')} |`,
      `|---|--:|${s.perturbations.map(() => '--:').join('|')}|`,
      ...c.criteria.map((k) => `| ${k.name}${c.recommended.some((r) => r.criterion === k.name) ? ' (recommended)' : ''} | ${seconds(k.seconds)} | ${s.perturbations.map((p) => rho(c.agreement.find((a) => a.criterion === k.name && a.perturbation === p)?.spearman)).join(' | ')} |`),
      `| reliability of the truth | | ${s.perturbations.map((p) => {
        const r = c.reliability.find((x) => x.perturbation === p);
        return r === undefined || r.value === null ? '–' : `${r.kind === 'lower-bound' ? '≥ ' : r.kind === 'upper-bound' ? '≤ ' : ''}${r.value.toFixed(2)}`;
      }).join(' | ')} |`,
      '',
    );
  }
  out.push('## Budgets', '');
  const withFiles = data.budgets.filter((b) => b.plan !== null || b.curve !== null);
  if (withFiles.length === 0) out.push('No budget plans or curves yet.', '');
  for (const b of withFiles) {
    if (b.plan !== null) out.push(`- **${b.kind}** (plan-${b.kind}.json): accuracy ${percent(b.plan.accuracy)}; baselines ${Object.entries(b.plan.baselines).map(([k, v]) => `${k} ${percent(v)}`).join(', ') || '–'}; additivity ${b.plan.additivity?.toFixed(2) ?? '–'}.`);
    if (b.curve !== null) out.push(`- **${b.kind}** curve: ${b.curve.length} points, methods ${[...new Set(b.curve.map((r) => r.method))].join(', ')}.`);
  }
  if (data.ber !== null) out.push(`- bit error rate curve: ${data.ber.length} points (ber-curve.json).`);
  out.push('', '## Decision', '');
  const d = data.decision;
  if (d.source === 'none') out.push('No per-layer decision (no plans, no report.json).');
  else {
    const fromPlans = d.source === 'plans';
    out.push(
      fromPlans ? `From ${d.plans.map((p) => p.file).join(', ')}.` : `The verdict of \`safer assess\` (harmless: drop ≤ ${pp(m.tolerance)} pp).`,
      '',
      fromPlans ? '| layer | params | bits | pruned | protect |' : '| layer | params | compress | protect |',
      fromPlans ? '|---|--:|--:|--:|:-:|' : '|---|--:|:-:|:-:|',
      ...d.rows.map((r) => fromPlans
        ? `| ${r.layer} | ${count(r.params)} | ${r.bits ?? '–'} | ${r.pruneRatio === null ? '–' : `${(100 * r.pruneRatio).toFixed(0)}%`} | ${yesNo(r.protect)} |`
        : `| ${r.layer} | ${count(r.params)} | ${yesNo(r.compress)} | ${yesNo(r.protect)} |`),
      ...(d.snippets.length > 0 ? ['', 'Check it:', '', ...d.snippets.map((x) => `    ${x}`)] : []),
    );
  }
  const r = data.reproducibility;
  out.push(
    '',
    '## Reproducibility',
    '',
    `Command: ${r.command === null ? 'not recorded' : `\`${r.command}\``}. Model sha256 ${r.modelSha256 ?? '?'}, data sha256 ${r.dataSha256 ?? '?'}. Seeds ${r.seeds.join(', ') || '–'}. Sweep ${seconds(r.seconds.sweep)}, criteria ${seconds(r.seconds.criteria)}. safer ${r.versions.report}, Node ${r.versions.node}, Vega ${r.versions.vega}, Vega-Lite ${r.versions.vegaLite}. Generated ${data.generated.at}.`,
    '',
  );
  return out.join('\n');
}

function yesNo(value: boolean | null): string {
  return value === null ? '–' : value ? 'yes' : 'no';
}
