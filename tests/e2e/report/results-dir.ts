/**
 * Real results dirs for the report tests: `safer assess` run once on the bundled model (the built
 * dist/ CLI, as `npm test` builds it), and a copy with the hand-written budget fixtures added.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, safer } from '../../helpers/cli.js';

/** Several levels per family, so that the drop-against-level charts have lines; two seeds for the bit flips. */
export const PERTURBATIONS = 'prune:0.3,prune:0.5,prune:0.7,prune:0.9,quant:3,quant:4,quantc:3,quantc:4,bitflip:1e-5,bitflip:1e-4';
export const LAYERS = ['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc1.weight', 'fc2.weight'];
export const BUDGET_FIXTURES = join(ROOT, 'tests/e2e/report/fixtures/budget-format');

export interface ResultsDirs {
  root: string;
  /** What `safer assess --out` wrote: sweep.jsonl, scores.json, report.json, report.md. */
  assess: string;
  /** The same plus the budget fixtures (plan-*.json, curve-*.json, ber-curve.json). */
  withBudgets: string;
  cleanup(): void;
}

export function makeResultsDirs(): ResultsDirs {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is not built: run "npm run build" first');
  const root = mkdtempSync(join(tmpdir(), 'safer-report-'));
  const assess = join(root, 'assess');
  const r = safer(['assess', '--out', assess, '--perturb', PERTURBATIONS, '--seeds', '2']);
  if (r.code !== 0) throw new Error(`safer assess failed: ${r.stderr}`);
  const withBudgets = join(root, 'with-budgets');
  cpSync(assess, withBudgets, { recursive: true });
  for (const file of readdirSync(BUDGET_FIXTURES).filter((f) => f.endsWith('.json'))) cpSync(join(BUDGET_FIXTURES, file), join(withBudgets, file));
  return { root, assess, withBudgets, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
