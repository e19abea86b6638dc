/**
 * One real `safer assess` run on the bundled model for every report test (about a minute): the tests
 * take copies of it (results-dir.ts), so each file can change its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { safer } from '../../helpers/cli.js';

/** Several levels per family, so that the drop-against-level charts have lines; two seeds for the bit flips. */
export const PERTURBATIONS = 'prune:0.3,prune:0.5,prune:0.7,prune:0.9,quant:3,quant:4,quantc:3,quantc:4,bitflip:1e-5,bitflip:1e-4';

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'safer-report-run-'));
  const dir = join(root, 'run');
  const r = safer(['assess', '--out', dir, '--perturb', PERTURBATIONS, '--seeds', '2', '--quiet'], { timeoutMs: 900_000 });
  if (r.code !== 0) throw new Error(`safer assess failed (exit ${r.code}): ${r.stderr}`);
  project.provide('reportResults', dir);
  return () => rmSync(root, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    reportResults: string;
  }
}
