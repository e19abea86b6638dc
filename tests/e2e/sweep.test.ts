import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openEvalData } from '../../src/data/index.js';
import { prepareModelFile, type PreparedModel } from '../../src/model/prepare.js';
import { withInitializerValues } from '../../src/onnx/edit.js';
import { applyPerturbation, createRng, parsePerturbationList } from '../../src/perturb/index.js';
import type { SweepRow } from '../../src/rows/row.js';
import { evaluateModel } from '../../src/runtime/evaluate.js';
import { rngSeedFor } from '../../src/sweep/plan.js';
import { runSweep } from '../../src/sweep/run.js';
import { makeTmp } from '../data/helpers.js';
import { BUNDLED, ROOT, safer } from '../helpers/cli.js';

const tmp = makeTmp();
/** Every model here takes the bundled 1×28×28 images. */
const prepare = (path: string): Promise<PreparedModel> => prepareModelFile(path, { sampleShape: [1, 28, 28] });
const readRows = (path: string): SweepRow[] =>
  readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as SweepRow);

/** Evaluates the whole model with one layer's weights replaced: the sweep must agree exactly (no graph cut). */
async function directAccuracy(modelPath: string, dataPath: string, labelsPath: string, limit: number, layerName: string, text: string, seed: number) {
  const prepared = await prepare(modelPath);
  const { model } = prepared;
  const layer = prepared.layers.find((l) => l.name === layerName);
  if (!layer) throw new Error(`no layer ${layerName}`);
  const [spec] = parsePerturbationList(text);
  const weight = model.graph.initializers.get(layer.name)?.data as Float32Array;
  const bias = layer.bias ? (model.graph.initializers.get(layer.bias)?.data as Float32Array) : undefined;
  const r = applyPerturbation({ weight, shape: layer.shape, channelAxis: layer.channelAxis, bias }, spec!.perturbation, createRng(rngSeedFor(layer.name, text, seed)));
  const values = new Map([[layer.name, r.weight]]);
  if (r.bias && layer.bias) values.set(layer.bias, r.bias);
  const data = await openEvalData({ data: dataPath, labels: labelsPath, limit });
  return evaluateModel({ ...prepared, model: withInitializerValues(model, values) }, data, { batchSize: 100, keepLogits: true });
}

/** Per-image correctness of the unperturbed model. */
async function baseCorrectness(modelPath: string, limit: number): Promise<Uint8Array> {
  const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit });
  return (await evaluateModel(await prepare(modelPath), data, { keepLogits: true })).correctness as Uint8Array;
}

describe('sweep', () => {
  it.each([
    ['bundled CNN', BUNDLED.model],
    ['ResNet-style with residual Adds and folded BatchNorm', `${ROOT}tests/fixtures/models/resnet-mini.onnx`],
  ])('equals a direct evaluation of the whole perturbed model for every layer (%s)', async (_, modelPath) => {
    const out = tmp.path(`direct-${Math.random().toString(36).slice(2)}.jsonl`);
    const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: 300 });
    const perturbations = parsePerturbationList('prune:0.7,quantc:3,bitflip8:1e-2,prunec:0.5');
    const prepared = await prepare(modelPath);
    await runSweep({ prepared, data, perturbations, seeds: 1, out, batchSize: 128, version: 'test' });
    const rows = readRows(out);
    expect(rows.length).toBe(prepared.layers.length * perturbations.length);
    const before = await baseCorrectness(modelPath, 300);
    for (const row of rows) {
      const direct = await directAccuracy(modelPath, BUNDLED.images, BUNDLED.labels, 300, row.layer, row.perturbation, row.seed);
      expect(row.correct, `${row.layer} ${row.perturbation}`).toBe(direct.correct);
      expect(row.loss, `${row.layer} ${row.perturbation}`).toBeCloseTo(direct.loss, 4);
      expect(row.count).toBe(300);
      // The paired counts, image by image: right → wrong and wrong → right.
      const after = direct.correctness as Uint8Array;
      const rightToWrong = before.reduce((n, b, i) => n + (b === 1 && after[i] === 0 ? 1 : 0), 0);
      const wrongToRight = before.reduce((n, b, i) => n + (b === 0 && after[i] === 1 ? 1 : 0), 0);
      expect([row.right_to_wrong, row.wrong_to_right], `${row.layer} ${row.perturbation}`).toEqual([rightToWrong, wrongToRight]);
      expect(row.drop).toBeCloseTo((rightToWrong - wrongToRight) / row.count, 12);
      expect(row.format).toBe(2);
    }
  });

  it('gives the same rows when the memory bound forces data chunks and layer groups', async () => {
    const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: 400 });
    const perturbations = parsePerturbationList('prune:0.5,noise:0.5');
    const common = { prepared: await prepare(BUNDLED.model), data, perturbations, seeds: 2, batchSize: 100, version: 'test' };
    const roomy = tmp.path('roomy.jsonl');
    const tight = tmp.path('tight.jsonl');
    await runSweep({ ...common, out: roomy }); // one group: its frontier is fetched in the base runs
    await runSweep({ ...common, out: tight, memoryBytes: 300_000 }); // < one layer's activations for 400 images
    // Chunks sum the per-image losses in another order: equal up to rounding.
    const a = readRows(tight);
    const b = readRows(roomy);
    expect(a.length).toBe(b.length);
    a.forEach((row, i) => {
      const other = b[i] as SweepRow;
      expect({ ...row, seconds: 0, loss: 0, kl: 0 }).toEqual({ ...other, seconds: 0, loss: 0, kl: 0 });
      expect(row.loss).toBeCloseTo(other.loss as number, 12);
      expect(row.kl).toBeCloseTo(other.kl as number, 12);
    });
  });

  it('writes the fields of a row, and KL 0 / unchanged 1 for a perturbation that changes nothing', async () => {
    const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: 200 });
    const out = tmp.path('noop.jsonl');
    await runSweep({ prepared: await prepare(BUNDLED.model), data, perturbations: parsePerturbationList('prune:0,quant:16'), layers: ['fc2.weight'], out, version: 'test' });
    const [noop, fine] = readRows(out);
    expect(noop).toMatchObject({ layer: 'fc2.weight', perturbation: 'prune:0.0', seed: 0, drop: 0, unchanged: 1, count: 200, version: 'test' });
    expect(noop?.kl).toBe(0);
    expect(noop?.model_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(noop?.data_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fine?.kl).toBeLessThan(1e-6);
  });

  it('does not run onnxruntime for a perturbation that leaves every weight bit as it was', async () => {
    const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels, limit: 200 });
    const out = tmp.path('no-flip.jsonl');
    const summary = await runSweep({ prepared: await prepare(BUNDLED.model), data, perturbations: parsePerturbationList('bitflip:1e-12'), seeds: 3, out, version: 'test' });
    expect(summary.timing.runs).toBe(0);
    for (const row of readRows(out)) expect(row).toMatchObject({ drop: 0, kl: 0, unchanged: 1, count: 200 });
  });

  it('adaptive mode stops early and its estimate lies within its interval of the exact drop', async () => {
    const data = await openEvalData({ data: BUNDLED.images, labels: BUNDLED.labels });
    const common = { prepared: await prepare(BUNDLED.model), data, perturbations: parsePerturbationList('quant:4,prune:0.9'), layers: ['fc1.weight', 'conv2.weight'], version: 'test' };
    const exact = tmp.path('exact.jsonl');
    const adaptive = tmp.path('adaptive.jsonl');
    await runSweep({ ...common, out: exact });
    await runSweep({ ...common, out: adaptive, adaptive: { precision: 0.01, confidence: 0.95 }, batchSize: 100 });
    const exactRows = readRows(exact);
    const rows = readRows(adaptive);
    expect(rows.some((r) => r.count < 2000 && r.adaptive?.stopped_early)).toBe(true);
    rows.forEach((r, i) => {
      const truth = exactRows[i] as SweepRow;
      if (r.adaptive?.stopped_early) expect(r.adaptive.half_width).toBeLessThanOrEqual(0.01);
      else expect(r).toMatchObject({ count: 2000, correct: truth.correct, adaptive: { half_width: 0 } });
      expect(Math.abs(r.drop - truth.drop), `${r.layer} ${r.perturbation}`).toBeLessThanOrEqual(r.adaptive!.half_width + 1e-12);
    });
  });
});

describe('sweep results file', () => {
  it('repairs a half-written last line and refuses rows of another model', async () => {
    const out = tmp.path('torn.jsonl');
    const args = ['sweep', BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '100', '--perturb', 'prune:0.5', '--out', out, '--json'];
    expect(safer(args).code).toBe(0);
    const rows = readRows(out);
    writeFileSync(out, rows.slice(0, 3).map((r) => JSON.stringify(r)).join('\n') + '\n' + JSON.stringify(rows[3]).slice(0, 40));
    const again = safer(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/removed a half-written last line/);
    const repaired = readRows(out);
    expect(repaired.map((r) => r.layer)).toEqual(rows.map((r) => r.layer));
    appendFileSync(out, JSON.stringify({ ...rows[0], model_sha256: 'f'.repeat(64) }) + '\n');
    const refused = safer(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/torn\.jsonl:6: holds results for another model or data set/);
  });

  it('survives kill -9 at any moment: the restarted run loses no finished row and writes no duplicate', async () => {
    const out = tmp.path('killed.jsonl');
    const args = ['sweep', BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '300',
      '--perturb', 'bitflip:1e-3,noise:0.5', '--seeds', '6', '--batch', '100', '--out', out];
    const rowsNow = (): number => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0);
    for (const killAt of [3, 12]) {
      // Kill as soon as the file holds `killAt` rows: mid-run, whatever the machine's speed.
      const child = spawn(process.execPath, [`${ROOT}dist/cli/main.js`, ...args], { stdio: 'ignore' });
      while (rowsNow() < killAt) await new Promise((resolve) => setTimeout(resolve, 10));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
    }
    expect(rowsNow()).toBeGreaterThanOrEqual(12);
    expect(rowsNow()).toBeLessThan(60);
    const before = existsSync(out) ? readFileSync(out, 'utf8') : '';
    const finished = safer(args);
    expect(finished.code, finished.stderr).toBe(0);
    const rows = readRows(out);
    const keys = rows.map((r) => `${r.layer} ${r.perturbation} ${r.seed}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows.length).toBe(5 * 2 * 6);
    // Every complete row written before the kills is still there, unchanged.
    const kept = before.split('\n').slice(0, -1).filter((l) => l.trim() !== '');
    for (const line of kept) expect(readFileSync(out, 'utf8')).toContain(line);
    // And the interrupted run's rows equal an uninterrupted run's (seeded perturbations).
    const clean = tmp.path('clean.jsonl');
    expect(safer([...args.slice(0, -1), clean]).code).toBe(0);
    const strip = (r: SweepRow) => JSON.stringify({ ...r, seconds: 0 });
    expect(readRows(clean).map(strip).sort()).toEqual(rows.map(strip).sort());
  });
});

describe('adaptive bound', async () => {
  const { normalQuantile, adaptiveBound } = await import('../../src/sweep/adaptive.js');
  it('normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
    expect(normalQuantile(1 - 0.0025 / 2)).toBeCloseTo(3.023341, 4);
  });
  it('half-width by hand: 1000 images, 50 changed, 30 net worse, 10 checks at 95%', () => {
    const n = 1002;
    const mean = 30 / n;
    const v = 52 / n - mean * mean;
    const z = normalQuantile(1 - 0.005 / 2);
    const { halfWidth } = adaptiveBound({ precision: 0.01, confidence: 0.95 }, { n: 1000, sum: 30, sumSquares: 50 }, 10, 4000);
    expect(halfWidth).toBeCloseTo(z * Math.sqrt((v / n) * (1 - 1000 / 4000)), 12);
  });
  it('narrows to nothing once every image of the data set is seen (finite population)', () => {
    const state = { n: 1000, sum: 30, sumSquares: 50 };
    const options = { precision: 0.001, confidence: 0.95 };
    expect(adaptiveBound(options, state, 10, 1000)).toEqual({ halfWidth: 0, stop: true });
    expect(adaptiveBound(options, state, 10, 1_000_000).halfWidth).toBeGreaterThan(adaptiveBound(options, state, 10, 2000).halfWidth);
  });
  it('never stops before 200 images', () => {
    expect(adaptiveBound({ precision: 0.5, confidence: 0.95 }, { n: 100, sum: 0, sumSquares: 0 }, 1, 10_000).stop).toBe(false);
  });
});
