/**
 * Results dirs for the report tests: copies of the one `safer assess` run of global-setup.ts (the built
 * dist/ CLI, as `npm test` builds it), with its budget plans and curves, and a copy without them.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
export { PERTURBATIONS } from './global-setup.js';

export const LAYERS = ['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc1.weight', 'fc2.weight'];

export interface ResultsDirs {
  root: string;
  /** What `safer assess --out` wrote, without the budget files: sweep.jsonl, scores.json, assess.json, report.*. */
  assess: string;
  /** All that `safer assess --out` wrote, the budget files included (plan-*.json, curve-*.json, ber-curve.json). */
  withBudgets: string;
  cleanup(): void;
}

export function makeResultsDirs(): ResultsDirs {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is not built: run "npm run build" first');
  const root = mkdtempSync(join(tmpdir(), 'safer-report-'));
  const withBudgets = join(root, 'with-budgets');
  cpSync(inject('reportResults'), withBudgets, { recursive: true });
  const assess = join(root, 'assess');
  cpSync(withBudgets, assess, { recursive: true });
  for (const file of readdirSync(assess).filter((f) => /^(plan|curve)-|^ber-curve|^report\./.test(f))) rmSync(join(assess, file));
  return { root, assess, withBudgets, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
