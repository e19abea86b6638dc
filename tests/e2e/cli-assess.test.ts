import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AssessReport } from '../../src/assess/assess.js';
import { makeTmp } from '../data/helpers.js';
import { BUNDLED, jsonOf, safer } from '../helpers/cli.js';

describe('safer assess', () => {
  const tmp = makeTmp();
  it('writes a verdict per layer whose drops are the sweep rows, and the report files', () => {
    const out = tmp.path('report');
    const r = jsonOf<AssessReport>(safer(['assess', BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '400',
      '--perturb', 'prune:0.9,quantc:4,bitflip:1e-4', '--seeds', '2', '--criteria', 'l2-norm,random', '--no-budgets', '--out', out, '--json']));
    expect(r.layers.map((l) => l.name)).toEqual(['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc1.weight', 'fc2.weight']);
    const rows = readFileSync(`${out}/sweep.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { layer: string; perturbation: string; drop: number });
    expect(rows).toHaveLength(5 * (2 + 2));
    for (const layer of r.layers) {
      const prune = rows.find((x) => x.layer === layer.name && x.perturbation === 'prune:0.9');
      expect(layer.drops['prune:0.9']?.drop).toBeCloseTo(prune!.drop, 12);
      // The rule itself is unit-tested (tests/assess/verdict.test.ts); here: verdicts, intervals and evidence agree.
      for (const verdict of [layer.compress, layer.protect]) expect(['yes', 'no', 'uncertain']).toContain(verdict);
      expect(layer.evidence === null).toBe(layer.compress !== 'uncertain' && layer.protect !== 'uncertain');
      const [lo, hi] = layer.drops['prune:0.9']!.interval!;
      expect(lo).toBeLessThanOrEqual(layer.drops['prune:0.9']!.drop);
      expect(hi).toBeGreaterThanOrEqual(layer.drops['prune:0.9']!.drop);
      if (lo > 0.005 || hi <= 0.005) expect(layer.compress).toBe(hi <= 0.005 && layer.drops['quantc:4']!.interval![1] <= 0.005 ? 'yes' : 'no');
      expect(layer.drops['bitflip:1e-4']?.seeds).toBe(2);
    }
    expect(r.criteria.map((c) => c.name)).toEqual(['l2-norm', 'random']);
    expect(readFileSync(`${out}/report.md`, 'utf8')).toMatch(/^\| fc1\.weight \| −?\d+\.\d\d ± \d+\.\d\d \|/m);
    expect(readFileSync(`${out}/report.html`, 'utf8')).toContain('<svg');
    expect(JSON.parse(readFileSync(`${out}/assess.json`, 'utf8')).layers).toHaveLength(5);
    expect(JSON.parse(readFileSync(`${out}/scores.json`, 'utf8')).criteria).toHaveLength(2);
  });

  it('runs on the bundled default with no arguments and prints the verdict table', () => {
    const r = safer(['assess', '--out', tmp.path('default'), '--limit', '300'], { timeoutMs: 600_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/budget plans \(accuracy of the written model on the evaluation set\):\n {2}quant: \d+\.\d\d%/);
    expect(r.stdout).toMatch(/on 300 images: base accuracy/);
    expect(r.stdout).toMatch(/fc1\.weight\s+Gemm\s+73\.9k/);
    expect(r.stdout).toMatch(/criterion that best ranked the layers/);
  });
});
