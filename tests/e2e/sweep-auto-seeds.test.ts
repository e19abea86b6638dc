/** safer sweep --seeds auto on the bundled model: seeds per layer until the mean drop is known, resumable. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SweepRow } from '../../src/rows/row.js';
import { seedHalfWidth } from '../../src/sweep/seed-rule.js';
import { makeTmp } from '../data/helpers.js';
import { BUNDLED, jsonOf, safer } from '../helpers/cli.js';

const tmp = makeTmp();
const rowsOf = (path: string): SweepRow[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as SweepRow);
const base = (out: string, ...more: string[]) => ['sweep', BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '300', '--out', out, ...more];

describe('safer sweep --seeds auto', () => {
  it('gives each layer seeds 0..k−1 until its interval is within --precision or k = --cap, and resumes to the same rows', () => {
    const out = tmp.path('auto.jsonl');
    const args = base(out, '--perturb', 'bitflip:3e-4,prune:0.5', '--seeds', 'auto', '--precision', '0.02', '--cap', '12');
    const first = safer([...args, '--json', '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    const summary = jsonOf<{ rowsWritten: number; stochastic: { perturbation: string; evaluated: number; weightsUnchanged: number; seeds: { min: number; max: number }; capped: number }[] }>(first);
    const rows = rowsOf(out);
    const flips = rows.filter((r) => r.perturbation === 'bitflip:3e-4');
    const layers = [...new Set(flips.map((r) => r.layer))];
    let capped = 0;
    for (const layer of layers) {
      const seeds = flips.filter((r) => r.layer === layer).map((r) => r.seed).sort((a, b) => a - b);
      expect(seeds, layer).toEqual(seeds.map((_, i) => i)); // contiguous from 0
      expect(seeds.length).toBeGreaterThanOrEqual(5);
      expect(seeds.length).toBeLessThanOrEqual(12);
      const drops = flips.filter((r) => r.layer === layer).map((r) => r.base_accuracy - r.accuracy);
      const worst = Math.max(...flips.map((r) => r.base_accuracy - r.accuracy));
      if (seeds.length < 12) expect(seedHalfWidth(drops, worst > 0 ? worst : rows[0]!.base_accuracy), layer).toBeLessThanOrEqual(0.02);
      else if (seedHalfWidth(drops, worst) > 0.02) capped++;
    }
    expect(rows.filter((r) => r.perturbation === 'prune:0.5').every((r) => r.seed === 0)).toBe(true);
    const stats = summary.stochastic.find((s) => s.perturbation === 'bitflip:3e-4')!;
    expect(stats.evaluated).toBe(flips.length);
    expect(stats.capped).toBe(capped);
    expect(stats.seeds.max).toBe(Math.max(...layers.map((l) => flips.filter((r) => r.layer === l).length)));

    // Run again: every layer already has the seeds it wants.
    const again = safer([...args, '--json', '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonOf<{ rowsWritten: number }>(again).rowsWritten).toBe(0);
    expect(rowsOf(out)).toHaveLength(rows.length);

    const text = safer(base(out, '--perturb', 'bitflip:3e-4', '--seeds', 'auto', '--precision', '0.02', '--cap', '12'));
    expect(text.stdout).toMatch(/bitflip:3e-4: \d+(–\d+)? seeds per layer/);
  }, 240_000);

  it('refuses --seeds that is neither a count nor auto, and auto with --adaptive', () => {
    const out = tmp.path('bad.jsonl');
    const bad = safer(base(out, '--seeds', 'many'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--seeds must be a positive integer or "auto", got "many"/);
    const both = safer(base(out, '--seeds', 'auto', '--adaptive', '1'));
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/two stopping rules/);
  });
});
