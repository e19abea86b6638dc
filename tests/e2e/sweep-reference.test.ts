/**
 * `safer sweep` against recorded PyTorch evaluations of the same perturbed weights
 * (tests/fixtures/reference/sweep-*.json, written by tools/make-sweep-reference.py,
 * which perturbs in numpy/torch and evaluates with tools/onnx_torch.py in float32).
 * Every (layer, perturbation) accuracy must agree within 0.1 percentage points, and the
 * mean loss within 1e-4 relative (it shows that both perturbed the weights the same way).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepRow } from '../../src/rows/row.js';
import { makeTmp } from '../data/helpers.js';
import { ROOT, safer } from '../helpers/cli.js';

interface ReferenceRow { layer: string; perturbation: string; accuracy: number; correct: number; loss: number; count: number }
interface Reference {
  model: string;
  model_sha256: string;
  images: string;
  labels: string;
  count: number;
  perturbations: string[];
  layers: string[];
  base: { accuracy: number; loss: number; count: number };
  torch_version: string;
  rows: ReferenceRow[];
}

const TOLERANCE = 0.001; // 0.1 percentage points, in fractions of 1
const LOSS_TOLERANCE = 1e-4; // relative (absolute below a loss of 1)
const DIR = `${ROOT}tests/fixtures/reference/`;
const files = readdirSync(DIR).filter((f) => /^sweep-.*\.json$/.test(f)).sort();
const tmp = makeTmp();
afterAll(() => tmp.cleanup());

const pp = (x: number): string => `${(100 * x).toFixed(2)}%`;

describe('safer sweep agrees with PyTorch', () => {
  it('has references for at least two architectures', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s: every (layer, perturbation) accuracy within 0.1 pp', (file) => {
    const ref = JSON.parse(readFileSync(DIR + file, 'utf8')) as Reference;
    const modelPath = ROOT + ref.model;
    const sha = createHash('sha256').update(readFileSync(modelPath)).digest('hex');
    expect(sha, `${ref.model} changed since ${file} was recorded; regenerate it with tools/make-sweep-reference.py`).toBe(ref.model_sha256);

    const out = tmp.path(file.replace(/\.json$/, '.jsonl'));
    const args = ['sweep', modelPath, '--data', ROOT + ref.images, '--labels', ROOT + ref.labels,
      '--limit', String(ref.count), '--perturb', ref.perturbations.join(','), '--out', out, '--json'];
    const r = safer(args, { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { baseAccuracy: number };
    expect(Math.abs(summary.baseAccuracy - ref.base.accuracy), `base accuracy: ours ${pp(summary.baseAccuracy)}, torch ${pp(ref.base.accuracy)}`)
      .toBeLessThanOrEqual(TOLERANCE);

    const ours = new Map<string, SweepRow>();
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line) as SweepRow;
      ours.set(`${row.layer}\t${row.perturbation}`, row);
    }
    const problems: string[] = [];
    let maxDeviation = 0;
    for (const want of ref.rows) {
      const got = ours.get(`${want.layer}\t${want.perturbation}`);
      if (!got) {
        problems.push(`${want.layer} ${want.perturbation}: missing (torch ${pp(want.accuracy)})`);
        continue;
      }
      const deviation = Math.abs(got.accuracy - want.accuracy);
      maxDeviation = Math.max(maxDeviation, deviation);
      // The same perturbed weights give the same loss up to float32 rounding (observed < 1e-6).
      const lossOff = got.loss === null || Math.abs(got.loss - want.loss) > LOSS_TOLERANCE * Math.max(1, want.loss);
      if (got.count !== want.count || deviation > TOLERANCE + 1e-12 || lossOff) {
        problems.push(`${want.layer} ${want.perturbation}: ours ${pp(got.accuracy)} (${got.correct}/${got.count}), torch ${pp(want.accuracy)} (${want.correct}/${want.count}); loss ours ${got.loss}, torch ${want.loss}`);
      }
    }
    expect(ours.size, 'rows written').toBe(ref.rows.length);
    expect(problems, `${problems.length} of ${ref.rows.length} rows differ (accuracy by more than 0.1 pp, or loss; max accuracy deviation ${(100 * maxDeviation).toFixed(2)} pp):\n${problems.join('\n')}`).toEqual([]);
  }, 300_000);
});
