/**
 * Readers of untrusted files never crash, hang or blow up memory: every mutant gives a result or a
 * one-line SaferError within BOUNDS. A quick slice runs here; the long run is
 *   SAFER_FUZZ_CASES=20000 SAFER_FUZZ_SEED=1 npx vitest run tests/fuzz
 * and its result is recorded in docs/bad-inputs.md ("Fuzzing").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BOUNDS, fuzz, type Outcome } from './harness.js';

const CASES = Number(process.env.SAFER_FUZZ_CASES ?? 350);
const SEED = Number(process.env.SAFER_FUZZ_SEED ?? 20261201);
const scratch = mkdtempSync(join(tmpdir(), 'safer-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('fuzzing the readers of untrusted files', () => {
  it(`${CASES} seeded mutants of real files: each a result or a one-line SaferError, within ${BOUNDS.seconds} s and +${BOUNDS.megabytes} MB`, async () => {
    const started = performance.now();
    const outcomes = await fuzz({ seed: SEED, cases: CASES, scratch, ...(process.env.SAFER_FUZZ_ONLY ? { only: process.env.SAFER_FUZZ_ONLY } : {}) });
    const failures = outcomes.filter((o) => o.failure !== undefined);
    const summary = summarize(outcomes, (performance.now() - started) / 1000);
    if (CASES > 1000 || failures.length > 0) console.log(summary);
    expect(failures.slice(0, 5).map((f) => `${f.target} ${f.file} (${f.what}): ${f.failure}`)).toEqual([]);
    // Each kind of file also yields some clean errors and some accepted mutants (the mutators reach the readers).
    expect(new Set(outcomes.filter((o) => o.result === 'error').map((o) => o.target)).size).toBeGreaterThanOrEqual(Math.min(7, CASES));
  }, 600_000);
});

function summarize(outcomes: readonly Outcome[], seconds: number): string {
  const byTarget = new Map<string, Outcome[]>();
  for (const o of outcomes) byTarget.set(o.target, [...(byTarget.get(o.target) ?? []), o]);
  const lines = [`fuzz: ${outcomes.length} cases, seed ${SEED}, ${seconds.toFixed(1)} s`];
  lines.push('| target | cases | accepted | SaferError | failures | slowest (s) | most memory (MB) |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const [target, list] of byTarget) {
    const ok = list.filter((o) => o.result === 'ok').length;
    const failed = list.filter((o) => o.failure !== undefined).length;
    const slowest = Math.max(...list.map((o) => o.seconds));
    const memory = Math.max(...list.map((o) => o.megabytes));
    lines.push(`| ${target} | ${list.length} | ${ok} | ${list.length - ok} | ${failed} | ${slowest.toFixed(2)} | ${memory.toFixed(0)} |`);
  }
  return lines.join('\n');
}
