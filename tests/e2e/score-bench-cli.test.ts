/** End to end on the bundled model: safer sweep → safer score → safer bench, in-process. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import { BUNDLED } from '../../src/cli/defaults.js';
import type { BenchTable } from '../../src/benchmark/types.js';
import { CRITERIA, RECOMMENDED_FOR } from '../../src/criteria/index.js';
import type { ScoreReport } from '../../src/criteria/score.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false });
  return { code, out, err };
}

describe.skipIf(!existsSync(BUNDLED.model))('safer score and safer bench on the bundled model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'safer-bench-cli-'));
  const truth = join(dir, 'truth.jsonl');
  const scores = join(dir, 'scores.json');
  const data = ['--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '300'];

  it('--for computes the recommended criterion per asked perturbation, instanced at it where it models one', async () => {
    const r = await run(['score', BUNDLED.model, ...data, '--for', 'quant:2,prune:0.9,prunec:0.5', '--calibration', '64', '--threads', '1', '--json']);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as ScoreReport;
    const expected = ['quant:2', 'prune:0.9', 'prunec:0.5'].map((p) => {
      const kind = p.slice(0, p.indexOf(':')) as keyof typeof RECOMMENDED_FOR;
      const id = RECOMMENDED_FOR[kind].split('@')[0]!;
      const models = CRITERIA.find((c) => c.id === id)?.perturbation !== undefined;
      return { for: p, name: models ? `${id}@${p}` : RECOMMENDED_FOR[kind] };
    });
    expect(report.criteria.map((c) => ({ for: c.for, name: c.name }))).toEqual(expected);
    expect(report.criteria.every((c) => report.layers.every((l) => typeof c.scores[l] === 'number'))).toBe(true);
    const both = await run(['score', BUNDLED.model, ...data, '--for', 'quant:2', '--criteria', 'all']);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--criteria and --for/);
  });

  it('scores every criterion and writes the report bench reads', async () => {
    const sweep = await run(['sweep', BUNDLED.model, ...data, '--perturb', 'prune:0.9,quant:2', '--out', truth, '--threads', '1', '--json']);
    expect(sweep.code, sweep.err).toBe(0);
    const r = await run(['score', BUNDLED.model, ...data, '--criteria', 'all', '--calibration', '64', '--threads', '1', '--json', '--out', scores]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as ScoreReport;
    expect(JSON.parse(readFileSync(scores, 'utf8'))).toEqual(report);
    expect(report.layers).toEqual(['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc1.weight', 'fc2.weight']);
    expect(report.model_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.data_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.calibration).toBe(64);
    const kl = report.criteria.find((c) => c.name === 'output-kl');
    expect(kl?.passes.forward).toBe(64 * 6);
    for (const c of report.criteria) for (const layer of report.layers) expect(typeof c.scores[layer]).toBe('number');
  });

  it('prints the criteria × perturbation table with cost, counts and frontier, and JSON with --json', async () => {
    const md = await run(['bench', '--truth', truth, '--scores', scores]);
    expect(md.code, md.err).toBe(0);
    expect(md.out).toContain(`1 model(s), 5 layer(s) with ground truth, ${CRITERIA.length} criteria`);
    expect(md.out).toMatch(/## prune\n\n1 model\(s\); level: prune:0\.9\./);
    expect(md.out).toMatch(/\| output-kl[ ★]*\| output \| \d+ ms \|/);
    expect(md.out).toContain('Frontier (cheapest first):');
    const js = await run(['bench', '--truth', truth, '--scores', scores, '--json', '--resamples', '100']);
    const table = JSON.parse(js.out) as BenchTable;
    expect(table.columns).toEqual(['prune', 'quant']);
    expect(table.cells).toHaveLength(CRITERIA.length * 2);
    expect(table.cells.every((c) => c.models === 1 && c.layers === 5)).toBe(true);
  });

  it('scores data-free criteria without data, and explains missing inputs', async () => {
    const r = await run(['score', BUNDLED.model, '--criteria', 'l2-norm,synflow']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/rank of each layer per criterion/);
    expect(r.out).toMatch(/c2\s+synflow\s+data-free/);
    const noData = await run(['score', BUNDLED.model, '--criteria', 'output-kl']);
    expect(noData.err).toMatch(/--data is required with a model/);
    const noTruth = await run(['bench', '--scores', scores]);
    expect(noTruth.err).toMatch(/--truth is required/);
    const unknown = await run(['score', '--criteria', 'nope']);
    expect(unknown.err).toMatch(/unknown criterion "nope"/);
  });
});
