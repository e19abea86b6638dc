/** The few lines at the top: the most fragile layer per perturbation family, and what the decision says. */
import { percent, pp } from '../format.js';
import type { ReportData } from '../report-data.js';
import { esc } from './html-util.js';

const TITLES = { quant: 'Quantization', prune: 'Pruning', protect: 'Protection' } as const;

export function atAGlance(data: ReportData): string[] {
  const lines: string[] = [];
  const s = data.sensitivity;
  if (s !== null) {
    const worst = s.families.map((family) => {
      const cells = s.cells.filter((c) => c.family === family);
      return cells.reduce((a, b) => (b.drop > a.drop ? b : a));
    });
    lines.push(`Most fragile per family: ${worst.map((c) => `<code>${esc(c.layer)}</code> under <code>${esc(c.perturbation)}</code> (drop ${pp(c.drop)} pp)`).join('; ')}.`);
  }
  const d = data.decision;
  const params = data.model.params;
  const share = (names: readonly string[]): string => {
    const n = data.model.layers.filter((l) => names.includes(l.name)).reduce((a, l) => a + (l.params ?? 0), 0);
    return params ? ` (${percent(n / params, 0)} of the weights)` : '';
  };
  const list = (names: readonly string[]): string => (names.length === 0 ? 'none' : names.map((n) => `<code>${esc(n)}</code>`).join(', '));
  if (d.source === 'assess-verdict') {
    const compress = d.rows.filter((r) => r.compress === true).map((r) => r.layer);
    const protect = d.rows.filter((r) => r.protect === true).map((r) => r.layer);
    lines.push(`Harmless to compress (every drop ≤ ${pp(data.model.tolerance)} pp): ${list(compress)}${compress.length ? share(compress) : ''}.`);
    lines.push(`Needs protection against faults: ${list(protect)}.`);
  } else if (d.source === 'plans') {
    for (const b of data.budgets) {
      const achieved = b.plan === null ? undefined : Object.values(b.plan.achieved)[0];
      if (b.plan === null || achieved === undefined) continue;
      const at = b.kind === 'quant' ? `${achieved.toFixed(2)} average bits` : b.kind === 'prune' ? `${percent(achieved, 1)} sparsity` : `${percent(achieved, 1)} of the weights protected`;
      const baselines = Object.entries(b.plan.baselines).map(([k, v]) => `${esc(k)} ${percent(v)}`).join(', ');
      lines.push(`${TITLES[b.kind]} plan: accuracy ${percent(b.plan.accuracy)} at ${at}${baselines ? ` (baselines: ${baselines})` : ''}.`);
    }
  }
  return lines;
}
