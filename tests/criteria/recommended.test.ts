/** safer's default criteria are the benchmark's recommendation as committed in docs/benchmark-results.md. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { criterionInstance, DEFAULT_CRITERIA, RECOMMENDED, RECOMMENDED_FOR, resolveCriteria } from '../../src/criteria/index.js';
import { recommendedInstanceFor } from '../../src/criteria/criterion-for.js';
import { parsePerturbation } from '../../src/perturb/index.js';
import { ROOT } from '../helpers/cli.js';

/** The "column → recommended" pairs of the first table of a section that `safer bench` writes. */
function recommendationsIn(markdown: string, heading = 'Recommendation'): Record<string, string> {
  const section = markdown.split('\n## ').find((s) => s.startsWith(heading));
  if (!section) throw new Error(`no "## ${heading}" section`);
  const table = section.split('\n\n').find((block) => block.startsWith('| column'));
  const rows = (table ?? '').split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| column'));
  return Object.fromEntries(rows.map((l) => l.split('|').map((c) => c.trim())).map((c) => [c[1] as string, c[2] as string]));
}

describe('recommended criteria', () => {
  it('are those of the committed benchmark results, one per perturbation family', () => {
    const results = readFileSync(`${ROOT}docs/benchmark-results.md`, 'utf8');
    expect(RECOMMENDED).toEqual(recommendationsIn(results));
    expect(Object.keys(RECOMMENDED)).toEqual(['prune', 'prunec', 'quant', 'quantc', 'bitflip', 'bitflip8', 'noise']);
  });

  it('for one perturbation (score --for) are those the committed per-cell check picks, else the family recommendation', () => {
    const results = readFileSync(`${ROOT}docs/benchmark-results.md`, 'utf8');
    const checked = recommendationsIn(results, 'The criterion for one perturbation');
    expect(Object.keys(checked).length).toBeGreaterThan(0);
    for (const kind of Object.keys(RECOMMENDED) as (keyof typeof RECOMMENDED)[]) expect(RECOMMENDED_FOR[kind], kind).toBe(checked[kind] ?? RECOMMENDED[kind]);
    expect(recommendedInstanceFor(parsePerturbation('quant:2')).name).toBe(`${RECOMMENDED_FOR.quant}@quant:2`);
    // A family pick that models the asked kind is instanced at it (output-kl@quantc:3 → output-kl@bitflip8:1e-3);
    // one that models no perturbation (l1-norm) is itself.
    expect(recommendedInstanceFor(parsePerturbation('bitflip8:1e-3')).name).toBe(`${criterionInstance(RECOMMENDED_FOR.bitflip8).criterion.id}@bitflip8:1e-3`);
    expect(recommendedInstanceFor(parsePerturbation('bitflip:1e-4')).name).toBe(criterionInstance(RECOMMENDED_FOR.bitflip).name);
  });

  it('are what "default" resolves to, each once', () => {
    const names = resolveCriteria(['default']).map((i) => i.name);
    expect(names).toEqual([...new Set(Object.values(RECOMMENDED))]);
    expect(names).toEqual(DEFAULT_CRITERIA);
  });

  it('are named in docs/benchmark.md', () => {
    const doc = readFileSync(`${ROOT}docs/benchmark.md`, 'utf8');
    for (const [family, criterion] of Object.entries(RECOMMENDED)) expect(doc, family).toContain(`| ${family} | ${criterion} |`);
  });
});
