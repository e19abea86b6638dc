import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportInputError, readResults, writeReport } from '../../../src/report/index.js';
import { pairedStandardError } from '../../../src/rows/uncertainty.js';
import { LAYERS, makeResultsDirs, type ResultsDirs } from './results-dir.js';

interface Row { layer: string; perturbation: string; seed: number; drop: number; base_accuracy: number; model_sha256: string }

describe('readResults', () => {
  let dirs: ResultsDirs;
  let scratch: string;
  beforeAll(() => {
    dirs = makeResultsDirs();
    scratch = mkdtempSync(join(tmpdir(), 'safer-report-cases-'));
  });
  afterAll(() => {
    dirs.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A copy of a results dir, changed by `edit`. */
  let copies = 0;
  function copyOf(dir: string, edit: (path: (file: string) => string) => void = () => {}): string {
    const copy = join(scratch, `copy-${copies++}`);
    cpSync(dir, copy, { recursive: true });
    edit((file) => join(copy, file));
    return copy;
  }
  const rowsOf = (dir: string): Row[] => readFileSync(join(dir, 'sweep.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

  it('reads what safer assess wrote: one cell per layer × perturbation whose per-seed drops are the sweep rows', () => {
    const data = readResults(dirs.assess);
    const s = data.sensitivity!;
    expect(s.layers).toEqual(LAYERS);
    expect(s.perturbations).toEqual(['prune:0.3', 'prune:0.5', 'prune:0.7', 'prune:0.9', 'quant:3', 'quant:4', 'quantc:3', 'quantc:4', 'bitflip:1e-5', 'bitflip:1e-4']);
    expect(s.cells).toHaveLength(LAYERS.length * s.perturbations.length);
    const rows = rowsOf(dirs.assess);
    for (const row of rows) {
      const cell = s.cells.find((c) => c.layer === row.layer && c.perturbation === row.perturbation)!;
      const seeds = rows.filter((r) => r.layer === row.layer && r.perturbation === row.perturbation).map((r) => r.seed).sort();
      expect(cell.drops[seeds.indexOf(row.seed)]).toBeCloseTo(row.drop, 12);
      expect(cell.seeds).toBe(seeds.length);
      expect(cell.interval![0]).toBeLessThanOrEqual(cell.drop);
    }
    // Rows of format 2 carry the right→wrong / wrong→right counts: every interval is the exact paired one.
    expect(s.uncertainty).toEqual(['paired']);
    expect(data.model.baseAccuracy).toBe(rows[0]!.base_accuracy);
    expect(data.model.sha256).toBe(rows[0]!.model_sha256);
    expect(data.model.seeds).toEqual([0, 1]);
  });

  it('takes layer facts and the verdict from assess.json, and ρ of every criterion from scores.json against the drops', () => {
    const data = readResults(dirs.assess);
    const assess = JSON.parse(readFileSync(join(dirs.assess, 'assess.json'), 'utf8')) as {
      layers: { name: string; params: number; compress: 'yes' | 'no' | 'uncertain'; protect: 'yes' | 'no' | 'uncertain' }[];
      criteria: { name: string; spearman: Record<string, number | null> }[];
    };
    const verdict = (v: 'yes' | 'no' | 'uncertain'): boolean | null => (v === 'uncertain' ? null : v === 'yes');
    expect(data.model.layers.map((l) => [l.name, l.params, l.verdict])).toEqual(assess.layers.map((l) => [l.name, l.params, { compress: verdict(l.compress), protect: verdict(l.protect) }]));
    expect(data.model.params).toBe(assess.layers.reduce((a, l) => a + l.params, 0));
    expect(data.decision.source).toBe('assess-verdict');
    expect(data.decision.rows.map((r) => r.compress)).toEqual(assess.layers.map((l) => verdict(l.compress)));
    const c = data.criteria!;
    expect(c.recommended.map((r) => r.family)).toEqual(['prune', 'quant', 'quantc', 'bitflip']);
    expect(c.recommended.find((r) => r.family === 'prune')?.points).toHaveLength(4 * LAYERS.length);
    // Where the drops are distinct (no float-noise ties), ρ is the one safer assess computed.
    let compared = 0;
    for (const p of ['prune:0.9', 'quant:3']) {
      const drops = data.sensitivity!.cells.filter((x) => x.perturbation === p).map((x) => x.drop);
      if (new Set(drops).size < drops.length) continue;
      compared++;
      for (const criterion of assess.criteria) {
        expect(c.agreement.find((a) => a.criterion === criterion.name && a.perturbation === p)?.spearman).toBeCloseTo(criterion.spearman[p] as number, 12);
      }
    }
    expect(compared).toBeGreaterThan(0);
    expect(c.reliability.map((r) => r.perturbation)).toEqual(data.sensitivity!.perturbations);
    expect(data.budgets.every((b) => b.plan === null && b.curve === null)).toBe(true);
    expect(data.ber).toBeNull();
  });

  it('reads the budget files: plans into the decision (with a safer eval command), curves and the BER curve as given', () => {
    const data = readResults(dirs.withBudgets);
    expect(data.decision.source).toBe('plans');
    const fixture = (file: string): unknown => JSON.parse(readFileSync(join(dirs.withBudgets, file), 'utf8'));
    const setting = (kind: string): unknown => (fixture(`plan-${kind}.json`) as { layers: Record<string, unknown> }).layers['conv1.weight'];
    const conv1 = data.decision.rows.find((r) => r.layer === 'conv1.weight');
    expect(conv1).toMatchObject({ bits: setting('quant'), pruneRatio: setting('prune'), protect: setting('protect'), params: 160 });
    // Plans without a written model are applied first (safer budget apply), then evaluated on the same data.
    expect(data.decision.snippets).toEqual([
      expect.stringMatching(/^safer budget apply \S+\/plan-quant\.json \S+\/zoo\/bundled\/model\.onnx --data \S+\/zoo\/bundled\/images\.npy --labels \S+\/zoo\/bundled\/labels\.npy --model-out quant\.onnx$/),
      expect.stringMatching(/^safer budget apply \S+\/plan-prune\.json /),
    ]);
    expect(data.budgets.find((b) => b.kind === 'quant')?.curve).toHaveLength((fixture('curve-quant.json') as unknown[]).length);
    expect(data.ber).toHaveLength((fixture('ber-curve.json') as unknown[]).length);
  });

  it('re-reads the report.json it writes (ReportData) to the same report, so a dir can be re-rendered any number of times', async () => {
    const dir = copyOf(dirs.withBudgets);
    const first = readResults(dir, { now: new Date(0) });
    await writeReport(dir, join(dir, 'report.html'), { now: new Date(0) });
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual(first);
    expect(readResults(dir, { now: new Date(0) })).toEqual(first);
  });

  it('works with any subset of the files, and says when there are none', () => {
    const sweepOnly = readResults(copyOf(dirs.assess, (p) => ['scores.json', 'assess.json'].forEach((f) => rmSync(p(f)))));
    expect(sweepOnly.model.layers.map((l) => [l.name, l.params, l.verdict])).toEqual(LAYERS.map((l) => [l, null, null]));
    expect(sweepOnly.criteria).toBeNull();
    expect(sweepOnly.decision.source).toBe('none');
    const scoresOnly = readResults(copyOf(dirs.assess, (p) => ['sweep.jsonl', 'assess.json'].forEach((f) => rmSync(p(f)))));
    expect(scoresOnly.sensitivity).toBeNull();
    expect(scoresOnly.model.layers.map((l) => l.name)).toEqual(LAYERS);
    expect(scoresOnly.criteria?.agreement).toEqual([]);
    const empty = mkdtempSync(join(scratch, 'empty-'));
    expect(() => readResults(empty)).toThrow(new ReportInputError(`${empty}: no results here (sweep.jsonl, scores.json, assess.json or report.json); write them with "safer assess --out ${empty}"`));
    expect(() => readResults(join(scratch, 'nowhere'))).toThrow(/nowhere: cannot read results dir \(ENOENT\)/);
  });

  it('leaves out the half-written last line of a sweep that is still running', () => {
    const dir = copyOf(dirs.assess, (p) => writeFileSync(p('sweep.jsonl'), readFileSync(p('sweep.jsonl'), 'utf8') + '{"layer":"conv1.weig'));
    expect(readResults(dir).sensitivity?.cells).toHaveLength(readResults(dirs.assess).sensitivity?.cells.length as number);
  });

  it('uses the paired counts when sweep rows carry them', () => {
    const dir = copyOf(dirs.assess, (p) => {
      const rows = readFileSync(p('sweep.jsonl'), 'utf8').trim().split('\n').map((l) => ({ ...JSON.parse(l), right_to_wrong: 40, wrong_to_right: 10 }));
      writeFileSync(p('sweep.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    });
    const cell = readResults(dir).sensitivity!.cells.find((c) => c.layer === 'conv1.weight' && c.perturbation === 'prune:0.5')!;
    expect(cell.seSource).toBe('paired');
    expect(cell.se).toBeCloseTo(pairedStandardError(40, 10, cell.images), 15);
  });

  // Each malformed file fails with one line that names the file (and line) and the field.
  const edits: [string, string, (text: string) => string, RegExp][] = [
    ['a sweep row with a bad accuracy', 'sweep.jsonl', (t) => t.replace(/"accuracy":[\d.]+/, '"accuracy":"x"'), /^sweep\.jsonl:1: field "accuracy" must be a number in \[0, 1\], got "x"$/],
    ['a sweep row that is not JSON', 'sweep.jsonl', (t) => `{oops\n${t}`, /^sweep\.jsonl:1: not valid JSON \(.+\); each line of a results file is one JSON object$/],
    ['a sweep of two models', 'sweep.jsonl', (t) => t.replace(/"model_sha256":"[0-9a-f]+"/, '"model_sha256":"beef"'), /^sweep\.jsonl: holds rows of 2 models/],
    ['scores that are not JSON', 'scores.json', () => '{', /^scores\.json: not valid JSON/],
    ['scores of another model', 'scores.json', (t) => t.replace(/"model_sha256": "[0-9a-f]+"/, '"model_sha256": "0123456789abcdef"'), /^scores\.json: "model_sha256" 0123456789ab… is not the model of sweep\.jsonl/],
    ['a criterion without seconds', 'scores.json', (t) => t.replace(/"seconds": [\d.e-]+/, '"seconds": null'), /^scores\.json: "criteria\[0\]\.seconds" must be a finite number, got null$/],
    ['report.json from a newer safer', 'report.json', () => '{"schema":"safer-report","version":99}', /^report\.json: report data version 99 is newer than this safer reads \(1\); update safer$/],
    ['a layer without a name in assess.json', 'assess.json', (t) => t.replace('"name": "conv1.weight"', '"name": 7'), /^assess\.json: "layers\[0\]\.name" must be a string, got 7$/],
    ['a quant plan of another kind', 'plan-quant.json', (t) => t.replace('"kind": "quant"', '"kind": "prune"'), /^plan-quant\.json: field "kind" must be "quant" \(the kind its file name says\), got "prune"$/],
    ['a plan with 0 bits', 'plan-quant.json', (t) => t.replace(/"conv1\.weight": \d+/, '"conv1.weight": 0'), /^plan-quant\.json: field "layers\["conv1\.weight"\]" must be an integer bit-width in 2\.\.16 or null \(float32\), got 0$/],
    ['a plan with an accuracy in percent', 'plan-prune.json', (t) => t.replace(/"accuracy": [\d.]+/, '"accuracy": 90.5'), /^plan-prune\.json: field "accuracy" must be a number in \[0, 1\], got 90\.5$/],
    ['a protect plan with a ratio', 'plan-protect.json', (t) => t.replace(/"conv1\.weight": (true|false)/, '"conv1.weight": 0.5'), /^plan-protect\.json: field "layers\["conv1\.weight"\]" must be true or false, got 0\.5$/],
    ['a curve interval upside down', 'curve-prune.json', (t) => t.replace(/"interval": \[\s*([\d.]+),\s*([\d.]+)\s*\]/, '"interval": [$2, $1]'), /^curve-prune\.json: "\[0\]\.interval" must be \[lo, hi\] with lo ≤ hi, got \[/],
    ['a BER point without protected', 'ber-curve.json', (t) => t.replace('"protected": false', '"protected": "no"'), /^ber-curve\.json: "\[0\]\.protected" must be true or false, got "no"$/],
    ['a BER of 0', 'ber-curve.json', (t) => t.replace(/"ber": [\d.e-]+/, '"ber": 0'), /^ber-curve\.json: "\[0\]\.ber" must be a bit error rate in \(0, 1\], got 0$/],
  ];
  it.each(edits)('fails on %s with one line naming file and field', (_, file, edit, message) => {
    const dir = copyOf(dirs.withBudgets, (p) => {
      const text = readFileSync(p(file), 'utf8');
      const edited = edit(text);
      expect(edited).not.toBe(text);
      writeFileSync(p(file), edited);
      // report.json (the report data of an earlier render) is read when there is no assess.json.
      if (file === 'report.json') rmSync(p('assess.json'));
    });
    let error: unknown;
    try {
      readResults(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReportInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
