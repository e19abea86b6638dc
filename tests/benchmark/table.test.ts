import { describe, expect, it } from 'vitest';
import { renderBenchMarkdown } from '../../src/benchmark/render.js';
import { parseScoreReport, type ModelScores } from '../../src/benchmark/scores.js';
import { buildBenchTable, frontierOf, recommendFor, sortColumns, type BenchCell } from '../../src/benchmark/index.js';
import type { SweepRow } from '../../src/rows/row.js';
import { tabulateRows } from '../../src/rows/summary.js';
import { sweepRow } from '../helpers/rows.js';

const LAYERS = ['a', 'b', 'c', 'd', 'e'];
/** Drops per model × perturbation; layer order a..e. */
const DROPS: Record<string, Record<string, number[]>> = {
  m1: { 'prune:0.3': [0, 0.01, 0.02, 0.03, 0.04], 'prune:0.5': [0.01, 0.02, 0.05, 0.1, 0.2], 'quant:4': [0.5, 0.1, 0, 0, 0] },
  m2: { 'prune:0.3': [0, 0.02, 0.03, 0.05, 0.06], 'prune:0.5': [0.02, 0.03, 0.04, 0.2, 0.3], 'quant:4': [0.4, 0.2, 0.1, 0, 0] },
  m3: { 'prune:0.5': [0, 0.01, 0.03, 0.04, 0.05] },
};

function truthRows(): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const [model, perturbations] of Object.entries(DROPS)) {
    for (const [perturbation, drops] of Object.entries(perturbations)) {
      drops.forEach((drop, i) => rows.push(sweepRow({
        layer: LAYERS[i] as string, perturbation, accuracy: 0.9 - drop, base_accuracy: 0.9, model: `${model}.onnx`, model_sha256: model,
      })));
    }
  }
  return rows;
}

function scores(model: string, criteria: Record<string, { seconds: number; scores: number[]; perturbation?: string }>): ModelScores {
  return parseScoreReport({
    model: `${model}.onnx`,
    model_sha256: model,
    layers: LAYERS,
    criteria: Object.entries(criteria).map(([name, c]) => ({
      name, family: 'data-free', seconds: c.seconds, perturbation: c.perturbation ?? null, passes: { forward: 0, backward: 0 },
      scores: Object.fromEntries(LAYERS.map((l, i) => [l, c.scores[i] ?? null])),
    })),
  }, `${model}.json`);
}

describe('bench table', () => {
  const truth = tabulateRows(truthRows(), truthRows().map(() => 't.jsonl'));
  const depth = [1, 2, 3, 4, 5];
  const files = ['m1', 'm2', 'm3'].map((m) => scores(m, {
    depth: { seconds: 0.001, scores: depth },
    reverse: { seconds: 0.002, scores: [...depth].reverse(), perturbation: 'quant:4' },
    slow: { seconds: 5, scores: depth },
  }));
  files.push(scores('unknown-model', { depth: { seconds: 1, scores: depth } }));
  const table = buildBenchTable(truth, files, { bootstrap: { resamples: 200 } });

  it('averages levels within a family per model, then models, and counts models and layers', () => {
    expect(table.columns).toEqual(['prune', 'quant']);
    const cell = table.cells.find((c) => c.criterion === 'depth' && c.perturbation === 'prune') as BenchCell;
    expect(cell.models).toBe(3);
    expect(cell.layers).toBe(15);
    expect(cell.levels).toEqual(['prune:0.3', 'prune:0.5']);
    expect(cell.spearman).toEqual({ mean: 1, low: 1, high: 1, n: 3 });
    expect(cell.seconds).toBeCloseTo(0.001, 12);
    const quant = table.cells.find((c) => c.criterion === 'reverse' && c.perturbation === 'quant') as BenchCell;
    expect(quant.models).toBe(2);
    expect(quant.targeted).toBe(true);
    // m1: reverse = [5..1] vs [0.5, 0.1, 0, 0, 0] → ranks (5,4,3,2,1) vs (5,4,2,2,2): Σdxdy = 8, Σdx² = 10, Σdy² = 8.
    const rhoM1 = 8 / Math.sqrt(10 * 8);
    // m2: drops decreasing, the last two tied: ranks (5,4,3,1.5,1.5): Σdxdy = 9.5, Σdy² = 9.5.
    const rhoM2 = 9.5 / Math.sqrt(10 * 9.5);
    expect(quant.spearman?.mean).toBeCloseTo((rhoM1 + rhoM2) / 2, 12);
    expect(quant.spearman?.n).toBe(2);
  });

  it('marks the frontier in (seconds, mean ρ)', () => {
    const prune = table.frontier.find((f) => f.perturbation === 'prune');
    expect(prune?.points.map((p) => p.criterion)).toEqual(['depth']); // slow has the same ρ at more cost; reverse is worse
    const quant = table.frontier.find((f) => f.perturbation === 'quant');
    // depth (1 ms) and reverse (2 ms) both cost less than the 10 ms floor, so the better ρ alone is on it.
    expect(quant?.points.map((p) => p.criterion)).toEqual(['reverse']);
    const exact = buildBenchTable(truth, files, { costFloor: 0, bootstrap: { resamples: 10 } });
    expect(exact.frontier.find((f) => f.perturbation === 'quant')?.points.map((p) => p.criterion)).toEqual(['depth', 'reverse']);
  });

  it('lists the unmatched score file in the notes and keeps per-model rows', () => {
    expect(table.notes.some((n) => n.includes('unknown-model.json') && n.includes('no ground truth'))).toBe(true);
    expect(table.rows.filter((r) => r.criterion === 'depth')).toHaveLength(7); // m1 and m2: 3 perturbations each, m3: 1
    expect(table.criteria.map((c) => c.name)).toEqual(['depth', 'reverse', 'slow']);
  });

  it('keeps levels apart with by = perturbation', () => {
    const byLevel = buildBenchTable(truth, files, { by: 'perturbation', bootstrap: { resamples: 50 } });
    expect(byLevel.columns).toEqual(['prune:0.3', 'prune:0.5', 'quant:4']);
    expect(byLevel.cells.find((c) => c.criterion === 'depth' && c.perturbation === 'prune:0.5')?.models).toBe(3);
  });

  it('renders Markdown with cost beside quality, counts and the frontier', () => {
    const md = renderBenchMarkdown(table);
    expect(md).toContain('## Spearman ρ overview');
    expect(md).toContain('| depth ★ | data-free | 1.0 ms | 1.00 [1.00, 1.00] | 1.00 | 1.00 [1.00, 1.00] | 1.00 [1.00, 1.00] | 1.00 [1.00, 1.00] | – | – | – | 5/5 | 3 | 15 |');
    expect(md).toContain('## Reliability of the ground truth');
    expect(md).toContain('| reverse ★◆ |');
    expect(md).toContain('Frontier (cheapest first): depth (1.0 ms, ρ 1.00)');
    expect(md).toContain('## Notes');
    expect(md).toContain('3 model(s); levels: prune:0.3, prune:0.5.');
  });

  it('judges criteria only on cells whose ranking of layers is reliable, and says how many qualified', () => {
    // m4: drops of a few images out of 100 while half the predictions changed: the ranking is noise.
    const noisy = [0, 0.01, 0.02, 0.01, 0].map((drop, i) => sweepRow({
      layer: LAYERS[i] as string, perturbation: 'prune:0.5', accuracy: 0.9 - drop, base_accuracy: 0.9, unchanged: 0.5, model: 'm4.onnx', model_sha256: 'm4',
    }));
    const rows = [...truthRows(), ...noisy];
    const withNoise = tabulateRows(rows, rows.map(() => 't.jsonl'));
    const m4 = scores('m4', { depth: { seconds: 0.001, scores: [1, 2, 3, 4, 5] } });
    const t = buildBenchTable(withNoise, [...files, m4], { bootstrap: { resamples: 50 } });
    const r = t.reliability.find((x) => x.model_sha256 === 'm4')!;
    expect(r).toMatchObject({ perturbation: 'prune:0.5', layers: 5, kind: 'lower-bound', qualified: false });
    expect(r.reliability).toBeLessThan(0.5);
    const prune = t.cells.find((c) => c.criterion === 'depth' && c.perturbation === 'prune')!;
    expect(prune.cells).toEqual({ qualified: 5, total: 6 });
    expect(prune.models).toBe(3); // m4 has no qualified cell
    expect(t.rows.find((x) => x.model_sha256 === 'm4')?.qualified).toBe(false);
    const all = buildBenchTable(withNoise, [...files, m4], { minReliability: 0, bootstrap: { resamples: 50 } });
    expect(all.cells.find((c) => c.criterion === 'depth' && c.perturbation === 'prune')?.models).toBe(4);
  });

  it("gives each criterion's budget regret (its plan minus the oracle's) in the column its kind answers for", () => {
    const point = (budget: number, method: string, accuracy: number) => ({ kind: 'prune' as const, budget, method, achieved: budget, accuracy, interval: [accuracy - 0.01, accuracy + 0.01] as [number, number] });
    const curves = [
      { file: 'm1-prune.json', points: [point(0.7, 'oracle', 0.8), point(0.7, 'criterion:depth', 0.75), point(0.7, 'safer', 0.81), point(0.7, 'lamp', 0.79), point(0.9, 'oracle', 0.6), point(0.9, 'criterion:depth', 0.5), point(0.9, 'criterion:depth@prune:0.9', 0.1)] },
      { file: 'm2-prune.json', points: [point(0.7, 'criterion:depth', 0.7)] },
    ];
    const t = buildBenchTable(truth, files, { curves, bootstrap: { resamples: 50 } });
    const depth = t.regret.find((r) => r.criterion === 'depth')!;
    expect(depth).toMatchObject({ kind: 'prune', column: 'prune', points: 2, worst: expect.closeTo(-0.1, 12) });
    expect(depth.regret.mean).toBeCloseTo((-0.05 - 0.1) / 2, 12);
    expect(t.regret.find((r) => r.criterion === 'depth@prune:0.9')).toMatchObject({ points: 1, worst: expect.closeTo(-0.5, 12) }); // instances stay apart
    expect(t.regret.find((r) => r.criterion === 'safer')?.regret.mean).toBeCloseTo(0.01, 12);
    expect(t.regret.some((r) => r.criterion === 'lamp')).toBe(false); // baselines are not criteria
    expect(t.cells.find((c) => c.criterion === 'depth' && c.perturbation === 'prune')?.regret?.mean).toBeCloseTo(-0.075, 12);
    expect(t.cells.find((c) => c.criterion === 'depth' && c.perturbation === 'quant')?.regret).toBeNull();
    expect(t.notes.some((n) => n.startsWith('m2-prune.json: no oracle plan'))).toBe(true);
    expect(renderBenchMarkdown(t)).toContain('| prune | prune | depth | 2 | -7.50 [-10.00, -5.00] | -10.00 |');
  });

  it('says when no cell of a column qualifies', () => {
    const t = buildBenchTable(truth, files, { minReliability: 1, bootstrap: { resamples: 10 } });
    expect(t.min_reliability).toBe(1);
    const strict = buildBenchTable(tabulateRows(truthRows().map((r) => ({ ...r, unchanged: 0.5 }))), files, { bootstrap: { resamples: 10 } });
    expect(strict.notes.some((n) => n.startsWith('prune: 0 of its 5 cell(s)') && n.includes('does not support it'))).toBe(true);
    // Still a pick (a default must exist), judged on every cell and marked unsupported.
    const prune = strict.recommendations.find((r) => r.perturbation === 'prune')!;
    expect(prune).toMatchObject({ basis: 'every-cell', supported: false, evidence: { cells: 0, total: 5, models: 0 } });
    expect(renderBenchMarkdown(strict)).toContain('0 of 5 cells, 0 model(s): not supported, judged on every cell');
  });

  it('judges a recommendation on the qualified cells only when they come from at least 3 models', () => {
    // prune: m1, m2, m3 qualify; quant: only m1 and m2 have the level.
    const prune = table.recommendations.find((r) => r.perturbation === 'prune')!;
    expect(prune).toMatchObject({ basis: 'qualified', supported: true, evidence: { models: 3 } });
    const quant = table.recommendations.find((r) => r.perturbation === 'quant')!;
    expect(quant).toMatchObject({ basis: 'every-cell', supported: false, evidence: { models: 2 } });
    expect(quant.criterion).toBe('reverse');
    expect(table.notes.some((n) => n.startsWith('quant: 2 of its 2 cell(s)') && n.includes('at least 3 models'))).toBe(true);
  });

  it('checks results of score --for on every reliable cell of their perturbation, apart from the competing criteria', () => {
    const made = (model: string, order: number[], name = 'kl@prune:0.5') => parseScoreReport({
      model: `${model}.onnx`, model_sha256: model, layers: LAYERS,
      criteria: [{ name, for: 'prune:0.50', family: 'output', seconds: 1, scores: Object.fromEntries(LAYERS.map((l, i) => [l, order[i]])) }],
    }, `${model}-for.json`);
    const t = buildBenchTable(truth, [...files, made('m1', depth), made('m2', [...depth].reverse()), made('m3', depth)], { bootstrap: { resamples: 20 } });
    expect(t.criteria.some((c) => c.name === 'kl@prune:0.5')).toBe(false);
    // A --for result named like a competing criterion leaves that criterion alone.
    const same = buildBenchTable(truth, [...files, made('m1', [...depth].reverse(), 'depth')], { bootstrap: { resamples: 20 } });
    expect(same.cells.find((c) => c.criterion === 'depth' && c.perturbation === 'prune')).toEqual(table.cells.find((c) => c.criterion === 'depth' && c.perturbation === 'prune'));
    expect(same.for_check.find((r) => r.model_sha256 === 'm1')).toMatchObject({ criterion: 'depth', spearman: -1 });
    expect(t.for_check_rule).toEqual({ min_reliability: 0.9, tolerance: 0.1 });
    const reliable = t.reliability.filter((r) => r.perturbation === 'prune:0.5' && (r.reliability ?? 0) >= 0.9);
    expect(reliable).toHaveLength(3);
    expect(t.for_check).toHaveLength(reliable.length);
    const m1 = t.for_check.find((r) => r.model_sha256 === 'm1')!;
    expect(m1).toMatchObject({ perturbation: 'prune:0.5', criterion_id: 'kl', criterion: 'kl@prune:0.5', layers: 5, spearman: 1 });
    expect(m1.gap).toBeCloseTo(m1.ceiling - 1, 12);
    expect(m1.within).toBe(true);
    const m2 = t.for_check.find((r) => r.model_sha256 === 'm2')!;
    expect(m2).toMatchObject({ spearman: -1, within: false });
    expect(t.notes.some((n) => /cell\(s\) with reliability ≥ 0.9 have no result of "safer score --for"/.test(n))).toBe(true);
    const md = renderBenchMarkdown(t);
    expect(t.for_recommendations).toEqual([{ perturbation: 'prune', criterion_id: 'kl', cells: 3, within: 2, median_gap: expect.any(Number), worst_gap: m2.gap, seconds: 1, candidates: [expect.objectContaining({ criterion_id: 'kl' })] }]);
    expect(md).toContain('## The criterion for one perturbation (`safer score --for`)');
    expect(md).toMatch(/\| prune \| kl \| 1\.00 s \| 3 \| 2 \| [0-9.]+ \| [0-9.]+ \|/);
    expect(md).toMatch(/\| m2\.onnx \| prune:0\.5 \| kl@prune:0\.5 \| [0-9.]+ \| [0-9.]+ \| -1\.00 \|/);
  });

  it('recommends for --for the criterion good enough on the most reliable cells, among those checked on all of them', () => {
    const row = (perturbation: string, id: string, gap: number, model = perturbation, seconds = 1) => ({
      model_sha256: model, model, perturbation, criterion_id: id, criterion: id, layers: 5, seconds, reliability: 1, ceiling: 1, spearman: 1 - gap, gap, within: gap <= 0.1,
    });
    const rows = [
      row('prune:0.5', 'a', 0.05), row('prune:0.9', 'a', 0.3), row('prune:0.5', 'b', 0.05), row('prune:0.9', 'b', 0.08),
      row('prune:0.5', 'a', 0.01, 'm3'), row('prune:0.5', 'b', 0.01, 'm3'), row('prune:0.5', 'partial', 0, 'x'),
      ...['m1', 'm2', 'm3'].flatMap((m) => [row('quant:2', 'a', 0.2, m), row('quant:2', 'c', 0.15, m)]),
      row('noise:1.0', 'a', 0, 'm1'), row('noise:1.0', 'a', 0, 'm2'), // cells from 2 models: no pick
      // equally often good enough: the cheaper wins, though its shortfall is larger; 1.2× the cost counts as equal
      ...['m1', 'm2', 'm3'].flatMap((m) => [row('prunec:0.5', 'slow', 0, m, 3), row('prunec:0.5', 'cheap', 0.05, m, 1), row('prunec:0.5', 'close', 0.02, m, 1.2)]),
    ];
    const picks = recommendFor(rows, ['prune', 'prunec', 'quant', 'noise'], (p) => p.split(':')[0] as string, 0.01);
    expect(picks.map((p) => [p.perturbation, p.criterion_id, p.within])).toEqual([['prune', 'b', 3], ['prunec', 'close', 3], ['quant', 'c', 0]]);
    expect(picks[0]?.candidates.map((c) => c.criterion_id)).toEqual(['b', 'a', 'partial']); // 'partial' is checked on 1 of 3 cells
  });

  it('reports how many seeds stand behind stochastic drops', () => {
    const rows = truthRows().filter((r) => r.model_sha256 === 'm3').flatMap((r) => [0, 1, 2].map((seed) => ({ ...r, perturbation: 'noise:0.5', seed })));
    const t = buildBenchTable(tabulateRows(rows, rows.map(() => 'n.jsonl')), [files[2] as ModelScores], { bootstrap: { resamples: 10 } });
    expect(t.rows[0]?.seeds).toBe(3);
    expect(renderBenchMarkdown(t)).toContain('1 model(s); level: noise:0.5 (3 seeds).');
  });

  it('leaves out layers without a finite score and says so', () => {
    const partial = [scores('m3', { gappy: { seconds: 1, scores: [1, 2, 3, 4] } })];
    const t = buildBenchTable(truth, partial, { bootstrap: { resamples: 10 } });
    expect(t.cells[0]?.layers).toBe(4);
    expect(t.notes.some((n) => n.includes('gappy') && n.includes('1 layer(s)'))).toBe(true);
    expect(t.notes.some((n) => n.includes('m1.onnx') && n.includes('no scores'))).toBe(true);
  });
});

describe('frontierOf and sortColumns', () => {
  const cell = (criterion: string, seconds: number, rho: number): BenchCell => ({
    criterion, perturbation: 'p', targeted: false, models: 1, layers: 1, levels: [], seconds,
    spearman: { mean: rho, low: rho, high: rho, n: 1 }, kendall: null, top_k: null, ndcg: null,
    cells: { qualified: 1, total: 1 }, ceiling: null, spearman_loss: null, spearman_kl: null, regret: null,
  });

  it('keeps the non-dominated points, cheapest first, and equal points together', () => {
    const f = frontierOf([cell('a', 1, 0.2), cell('b', 2, 0.5), cell('c', 3, 0.4), cell('d', 0.5, 0.1), cell('e', 2, 0.5)]);
    expect(f.map((p) => p.criterion)).toEqual(['d', 'a', 'b', 'e']);
  });

  it('treats costs under the floor as equal', () => {
    const cells = [cell('free-but-worse', 0.0001, 0.2), cell('free', 0.004, 0.5), cell('costly', 2, 0.7)];
    expect(frontierOf(cells).map((p) => p.criterion)).toEqual(['free-but-worse', 'free', 'costly']);
    expect(frontierOf(cells, 0.01).map((p) => p.criterion)).toEqual(['free', 'costly']);
  });

  it('orders families as safer lists perturbations and levels by value', () => {
    expect(sortColumns(['noise:0.1', 'quant:8', 'prune:0.5', 'quant:4', 'prune:0.25', 'zzz:1', 'bitflip:1e-3'])).toEqual(
      ['prune:0.25', 'prune:0.5', 'quant:4', 'quant:8', 'bitflip:1e-3', 'noise:0.1', 'zzz:1']);
  });

  it('rejects score files that are not score reports', () => {
    expect(() => parseScoreReport({ layers: [] }, 'x.json')).toThrow(/x\.json: no "model_sha256"/);
    expect(() => parseScoreReport({ model_sha256: 'a', layers: [], criteria: [{ name: 'n', seconds: 1, scores: { a: 'x' } }] }, 'x.json'))
      .toThrow(/score of layer "a" must be a finite number or null/);
  });
});
