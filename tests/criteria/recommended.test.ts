/** safer's default criteria are the benchmark's recommendation as committed in docs/benchmark-results.md. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CRITERIA, RECOMMENDED, resolveCriteria } from '../../src/criteria/index.js';
import { ROOT } from '../helpers/cli.js';

/** The "column → recommended" pairs of the Recommendation table that `safer bench` writes. */
function recommendationsIn(markdown: string): Record<string, string> {
  const section = markdown.split('\n## ').find((s) => s.startsWith('Recommendation'));
  if (!section) throw new Error('no "## Recommendation" section');
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| column'));
  return Object.fromEntries(rows.map((l) => l.split('|').map((c) => c.trim())).map((c) => [c[1] as string, c[2] as string]));
}

describe('recommended criteria', () => {
  it('are those of the committed benchmark results, one per perturbation family', () => {
    const results = readFileSync(`${ROOT}docs/benchmark-results.md`, 'utf8');
    expect(RECOMMENDED).toEqual(recommendationsIn(results));
    expect(Object.keys(RECOMMENDED)).toEqual(['prune', 'prunec', 'quant', 'quantc', 'bitflip', 'bitflip8', 'noise']);
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
