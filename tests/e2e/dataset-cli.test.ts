import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { predictionInterval, sampleRows, type VerifyReport } from '../../src/dataset/verify.js';
import { makeTmp } from '../data/helpers.js';
import { BUNDLED, jsonOf, safer } from '../helpers/cli.js';

describe('data set helpers', () => {
  it('prediction interval by hand (n = 3, t = 4.303)', () => {
    const [lo, hi] = predictionInterval([0.01, 0.02, 0.03], 0.0001) as [number, number];
    const half = 4.303 * 0.01 * Math.sqrt(1 + 1 / 3) + 0.0001;
    expect(lo).toBeCloseTo(0.02 - half, 12);
    expect(hi).toBeCloseTo(0.02 + half, 12);
    expect(predictionInterval([0.5], 0.01)).toBeNull();
  });
  it('samples without replacement, reproducibly', () => {
    const rows = Array.from({ length: 50 }, (_, i) => i);
    const a = sampleRows(rows, 10, 7);
    expect(new Set(a).size).toBe(10);
    expect(sampleRows(rows, 10, 7)).toEqual(a);
    expect(sampleRows(rows, 10, 8)).not.toEqual(a);
    expect(sampleRows(rows, 99, 1).sort((x, y) => x - y)).toEqual(rows);
  });
});

describe('safer dataset', () => {
  const tmp = makeTmp();
  const folder = tmp.path('dataset');
  mkdirSync(folder);
  const data = ['--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '300'];
  const file = `${folder}/bundled.jsonl`;
  it('verify reproduces rows of a real sweep and flags a tampered one', () => {
    expect(safer(['sweep', BUNDLED.model, ...data, '--perturb', 'quant:3,noise:0.5', '--seeds', '3', '--out', file, '--json']).code).toBe(0);
    const report = jsonOf<VerifyReport>(safer(['dataset', 'verify', '--dataset', folder, '--sample', '6', ...data, '--json']));
    expect(report.sampled).toBe(6);
    expect(report.reproduced).toBe(6);
    expect(report.rows.filter((r) => r.perturbation === 'noise:0.5').every((r) => r.fresh && r.fresh.interval !== null)).toBe(true);

    const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { correct: number; accuracy: number });
    const tampered = rows.map((r) => ({ ...r, correct: r.correct + 1 }));
    writeFileSync(file, tampered.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = safer(['dataset', 'verify', '--dataset', folder, '--sample', '2', ...data]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/DIFFERS/);
    expect(r.stdout).toMatch(/0\/2 rows reproduced exactly/);
  });
  it('verify refuses other data than the rows were measured on', () => {
    const r = safer(['dataset', 'verify', '--dataset', folder, '--sample', '2', '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '200']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not the data the rows of .* were measured on/);
  });
  it('csv has one line per row with the layer metadata', () => {
    const out = tmp.path('flat.csv');
    expect(safer(['dataset', 'csv', '--dataset', folder, '--out', out]).code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('model,layer,layer_index,op,params,flops,perturbation,family,level,seed,accuracy,drop,loss,kl,unchanged,count,base_accuracy,model_sha256');
    expect(lines).toHaveLength(1 + 5 * (1 + 3));
    expect(lines.find((l) => l.includes(',fc1.weight,') && l.includes('quant:3'))).toMatch(/^bundled,fc1\.weight,3,Gemm,73856,147456,quant:3,quant,3,0,/);
  });
});

describe('safer dataset summary', async () => {
  const { summarizeDataset } = await import('../../src/dataset/summary.js');
  it('counts rows, layers and perturbations per model', () => {
    const row = (layer: string, perturbation: string, seed: number) => ({
      layer, perturbation, seed, model: 'zoo/models/m/model.onnx', model_sha256: 'a', base_accuracy: 0.9, count: 100, seconds: 0.5,
    });
    const [m] = summarizeDataset([row('a', 'prune:0.5', 0), row('a', 'noise:1', 0), row('a', 'noise:1', 1), row('b', 'prune:0.5', 0)] as never);
    expect(m).toEqual({ model: 'm', path: 'zoo/models/m/model.onnx', baseAccuracy: 0.9, images: 100, layers: 2, perturbations: 2, rows: 4, jobSeconds: 2 });
  });
});
