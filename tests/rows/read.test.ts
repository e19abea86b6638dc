import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { perturbationFamily } from '../../src/perturb/index.js';
import { RowsError } from '../../src/rows/errors.js';
import { parseRowsText } from '../../src/rows/parse.js';
import { readDropTable } from '../../src/rows/summary.js';

const parseTruthText = (text: string, file: string) => parseRowsText(text, file).rows;
const readTruthFiles = readDropTable;

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

function row(fields: Record<string, unknown>): string {
  return JSON.stringify({
    layer: 'conv1.weight', perturbation: 'prune:0.5', seed: 0, accuracy: 0.8, loss: 0.6, kl: 0.01, unchanged: 0.9,
    count: 100, correct: 80, base_accuracy: 0.9, base_loss: 0.3, model: 'm.onnx', model_sha256: SHA_A,
    data_sha256: 'd'.repeat(64), version: '0.1.0', seconds: 0.1, ...fields,
  });
}

function writeTemp(name: string, lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'safer-truth-'));
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('reading results files (the one reader of sweep rows)', () => {
  it('averages the drop over seeds and reports the seed count and spread', () => {
    const path = writeTemp('t.jsonl', [
      row({ perturbation: 'bitflip:1e-4', seed: 0, accuracy: 0.8 }),
      row({ perturbation: 'bitflip:1e-4', seed: 1, accuracy: 0.6 }),
      row({ perturbation: 'bitflip:1e-4', seed: 2, accuracy: 0.7, extra_field: 'ignored', adaptive: true }),
      '',
      row({ layer: 'fc.weight', perturbation: 'bitflip:1e-4', seed: 0, accuracy: 0.9, loss: null }),
    ]);
    const truth = readTruthFiles([path]);
    const p = truth.models.get(SHA_A)?.perturbations.get('bitflip:1e-4');
    expect(p?.family).toBe('bitflip');
    expect(p?.baseAccuracy).toBeCloseTo(0.9, 12);
    const conv = p?.layers.get('conv1.weight');
    expect(conv?.drop).toBeCloseTo(0.2, 12); // drops 0.1, 0.3, 0.2
    expect(conv?.seeds).toBe(3);
    expect(conv?.std).toBeCloseTo(0.1, 12);
    expect(conv?.lossIncrease).toBeCloseTo(0.3, 12);
    expect(p?.layers.get('fc.weight')).toMatchObject({ drop: 0, std: 0, seeds: 1, lossIncrease: null, kl: 0.01, seSource: 'changed-bound' });
    expect(truth.rows).toBe(4);
  });

  it('keeps models apart by model_sha256 and merges files of one model', () => {
    const a = writeTemp('a.jsonl', [row({}), row({ model_sha256: SHA_B, model: 'other.onnx', accuracy: 0.5 })]);
    const b = writeTemp('b.jsonl', [row({ perturbation: 'quant:4', accuracy: 0.85 })]);
    const truth = readTruthFiles([a, b]);
    expect([...truth.models.keys()].sort()).toEqual([SHA_A, SHA_B]);
    expect([...(truth.models.get(SHA_A)?.perturbations.keys() ?? [])]).toEqual(['prune:0.5', 'quant:4']);
    expect(truth.models.get(SHA_A)?.files).toEqual([a, b]);
    expect(truth.models.get(SHA_B)?.perturbations.get('prune:0.5')?.layers.get('conv1.weight')?.drop).toBeCloseTo(0.4, 12);
  });

  it('normalises perturbation text and keeps the last of repeated rows', () => {
    const truth = readTruthFiles([writeTemp('t.jsonl', [row({ perturbation: 'prune:.5', accuracy: 0.1 }), row({ accuracy: 0.7 })])]);
    const p = truth.models.get(SHA_A)?.perturbations;
    expect([...(p?.keys() ?? [])]).toEqual(['prune:0.5']);
    expect(p?.get('prune:0.5')?.layers.get('conv1.weight')?.drop).toBeCloseTo(0.2, 12);
    expect(truth.notes[0]).toMatch(/1 repeated row/);
  });

  it('names file and line of a malformed row', () => {
    const text = [row({}), row({}), '{"layer": "x", broken', row({})].join('\n');
    expect(() => parseTruthText(text, 'truth.jsonl')).toThrow(RowsError);
    expect(() => parseTruthText(text, 'truth.jsonl')).toThrow(/^truth\.jsonl:3: not valid JSON/);
    expect(() => parseTruthText(row({ accuracy: 1.5 }), 'f.jsonl')).toThrow(/f\.jsonl:1: field "accuracy" must be a number in \[0, 1\], got 1\.5/);
    expect(() => parseTruthText(row({ layer: undefined }), 'f.jsonl')).toThrow(/f\.jsonl:1: field "layer"/);
    expect(() => parseTruthText('[1, 2]', 'f.jsonl')).toThrow(/f\.jsonl:1: expected a JSON object per line, got an array/);
    expect(() => parseTruthText(row({ seed: 0.5 }), 'f.jsonl')).toThrow(/"seed" must be an integer/);
  });

  it('refuses rows of one model from two evaluation sets, and unreadable files', () => {
    const path = writeTemp('t.jsonl', [row({}), row({ layer: 'fc.weight', data_sha256: 'e'.repeat(64) })]);
    expect(() => readTruthFiles([path])).toThrow(/two evaluation sets/);
    expect(() => readTruthFiles(['/nonexistent/t.jsonl'])).toThrow(/cannot read results file \(ENOENT\)/);
  });

  it('takes the family from the text before the colon', () => {
    expect(perturbationFamily('bitflip8:1e-5')).toBe('bitflip8');
    expect(perturbationFamily('quant')).toBe('quant');
  });
});
