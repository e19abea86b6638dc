import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyPerturbation,
  createRng,
  formatPerturbation,
  isStochastic,
  parsePerturbation,
  parsePerturbationList,
  PERTURBATION_KINDS,
  PerturbationError,
  PerturbationSyntaxError,
  type Perturbation,
  type PerturbationKind,
} from '../../src/perturb/index.js';
import { bitsOf, randomWeights } from './helpers.js';

const EXPECTED_FORMS = 'expected one of prune:r, prunec:r, quant:b, quantc:b, bitflip:p, bitflip8:p, noise:s';

describe('parsePerturbation', () => {
  it.each<[string, Perturbation, string]>([
    ['prune:0.5', { kind: 'prune', ratio: 0.5 }, 'prune:0.5'],
    ['prune:0', { kind: 'prune', ratio: 0 }, 'prune:0.0'],
    ['prune:1', { kind: 'prune', ratio: 1 }, 'prune:1.0'],
    ['prune:.25', { kind: 'prune', ratio: 0.25 }, 'prune:0.25'],
    ['prunec:0.3', { kind: 'prunec', ratio: 0.3 }, 'prunec:0.3'],
    ['quant:2', { kind: 'quant', bits: 2 }, 'quant:2'],
    ['quant:16', { kind: 'quant', bits: 16 }, 'quant:16'],
    ['quantc:8.0', { kind: 'quantc', bits: 8 }, 'quantc:8'],
    ['bitflip:1e-4', { kind: 'bitflip', rate: 1e-4 }, 'bitflip:1e-4'],
    ['bitflip8:0.001', { kind: 'bitflip8', rate: 0.001 }, 'bitflip8:1e-3'],
    ['noise:0', { kind: 'noise', sigma: 0 }, 'noise:0.0'],
    ['noise:2.5', { kind: 'noise', sigma: 2.5 }, 'noise:2.5'],
  ])('accepts %s and gives its canonical text', (written, perturbation, text) => {
    expect(parsePerturbation(written)).toEqual({ text, perturbation });
  });

  it('gives one text for one level however it is written, so that seeds (derived from the text) agree', () => {
    const texts = ['bitflip:1e-2', 'bitflip:0.01', '  bitflip:1E-2 ', 'bitflip:10e-3', 'bitflip:0.010'].map((t) => parsePerturbation(t).text);
    expect(new Set(texts)).toEqual(new Set(['bitflip:1e-2']));
    expect(parsePerturbation('noise:1').text).toBe(parsePerturbation('noise:1.00').text);
  });

  it.each([
    ['prune:1.5', 'perturbation "prune:1.5": ratio must be in [0, 1], got 1.5'],
    ['prunec:-0.1', 'ratio must be in [0, 1], got -0.1'],
    ['quant:1', 'perturbation "quant:1": bits must be an integer in 2..16, got 1'],
    ['quant:4.5', 'bits must be an integer in 2..16, got 4.5'],
    ['quantc:17', 'bits must be an integer in 2..16, got 17'],
    ['bitflip:2', 'rate must be in [0, 1], got 2'],
    ['noise:-1', 'sigma must be finite and ≥ 0, got -1'],
    ['noise:1e400', 'sigma must be finite and ≥ 0, got Infinity'],
    ['foo', `unknown perturbation "foo"; ${EXPECTED_FORMS}`],
    ['prun:0.5', `unknown perturbation "prun:0.5"; ${EXPECTED_FORMS}`],
    ['PRUNE:0.5', 'unknown perturbation "PRUNE:0.5"'],
    ['', `empty perturbation; ${EXPECTED_FORMS}`],
    ['   ', 'empty perturbation'],
    ['prune', 'perturbation "prune" needs a level, as in prune:r'],
    ['prune:', 'level "" is not a decimal number'],
    ['prune:abc', 'level "abc" is not a decimal number, as in prune:r'],
    ['prune:0x1', 'level "0x1" is not a decimal number'],
    ['noise:Infinity', 'level "Infinity" is not a decimal number'],
    ['prune: 0.5', 'level " 0.5" is not a decimal number'],
    ['prune:0.5:1', 'level "0.5:1" is not a decimal number'],
  ])('rejects %j', (text, message) => {
    const parse = () => parsePerturbation(text);
    expect(parse).toThrow(PerturbationSyntaxError);
    expect(parse).toThrow(PerturbationError);
    expect(parse).toThrow(message);
  });
});

describe('parsePerturbationList', () => {
  it('splits on commas and keeps each text', () => {
    const specs = parsePerturbationList('prune:0.5,quant:4, bitflip:1e-4');
    expect(specs.map((s) => s.text)).toEqual(['prune:0.5', 'quant:4', 'bitflip:1e-4']);
    expect(specs[2]!.perturbation).toEqual({ kind: 'bitflip', rate: 1e-4 });
  });

  it.each(['', 'prune:0.5,', ',prune:0.5', 'prune:0.5,,quant:4'])('rejects empty items in %j', (text) => {
    expect(() => parsePerturbationList(text)).toThrow(PerturbationSyntaxError);
  });

  it('reports the bad item', () => {
    expect(() => parsePerturbationList('prune:0.5,quant:1')).toThrow('perturbation "quant:1"');
  });

  it('refuses a perturbation given twice, also as two texts of one level', () => {
    expect(() => parsePerturbationList('quant:4,prune:0.5,quant:4')).toThrow('perturbation quant:4 is given twice ("quant:4"); give each perturbation once');
    expect(() => parsePerturbationList('bitflip:1e-2, bitflip:0.01')).toThrow('perturbation bitflip:1e-2 is given twice ("bitflip:1e-2" and "bitflip:0.01")');
    expect(() => parsePerturbationList('quant:4,quantc:4,prune:0.5,prunec:0.5')).not.toThrow();
  });
});

describe('registry', () => {
  const kinds = Object.keys(PERTURBATION_KINDS) as PerturbationKind[];

  it('lists every kind once, with a usage form starting with its name', () => {
    expect(kinds).toEqual(['prune', 'prunec', 'quant', 'quantc', 'bitflip', 'bitflip8', 'noise']);
    for (const kind of kinds) expect(PERTURBATION_KINDS[kind].usage).toMatch(new RegExp(`^${kind}:[a-z]$`));
  });

  it('marks bitflip, bitflip8 and noise as stochastic', () => {
    const stochastic = kinds.filter((kind) => isStochastic(PERTURBATION_KINDS[kind].make(0.5)));
    expect(stochastic).toEqual(['bitflip', 'bitflip8', 'noise']);
  });

  it('formats perturbations as text that parses back to them', () => {
    for (const kind of kinds) {
      const p = PERTURBATION_KINDS[kind].make(kind.startsWith('quant') ? 4 : 0.125);
      expect(parsePerturbation(formatPerturbation(p)).perturbation).toEqual(p);
    }
    expect(formatPerturbation({ kind: 'bitflip', rate: 1e-7 })).toBe('bitflip:1e-7');
  });
});

describe('applyPerturbation', () => {
  const all: Perturbation[] = [
    { kind: 'prune', ratio: 0.5 },
    { kind: 'prunec', ratio: 0.5 },
    { kind: 'quant', bits: 4 },
    { kind: 'quantc', bits: 4 },
    { kind: 'bitflip', rate: 0.01 },
    { kind: 'bitflip8', rate: 0.01 },
    { kind: 'noise', sigma: 0.1 },
  ];

  it.each(all.map((p) => [formatPerturbation(p), p] as const))('%s never mutates its inputs', (_, p) => {
    const weight = randomWeights(24);
    const bias = randomWeights(4, 2);
    const [weightBits, biasBits] = [bitsOf(weight), bitsOf(bias)];
    const out = applyPerturbation({ weight, shape: [4, 2, 3], channelAxis: 0, bias }, p, createRng(1));
    expect(bitsOf(weight)).toEqual(weightBits);
    expect(bitsOf(bias)).toEqual(biasBits);
    expect(out.weight).not.toBe(weight);
    expect(out.weight.buffer).not.toBe(weight.buffer);
    expect(out.bias).not.toBe(bias);
  });

  const allButBitflip = all.filter((p) => p.kind !== 'bitflip');
  it.each(allButBitflip.map((p) => [formatPerturbation(p), p] as const))('%s keeps an all-zero tensor at zero', (_, p) => {
    const out = applyPerturbation({ weight: new Float32Array(6), shape: [2, 3], channelAxis: 0 }, p, createRng(1));
    expect(Array.from(out.weight).every((w) => w === 0)).toBe(true);
  });

  it.each(all.map((p) => [formatPerturbation(p), p] as const))('%s handles an empty tensor', (_, p) => {
    const out = applyPerturbation({ weight: new Float32Array(0), shape: [0, 3], channelAxis: 1 }, p, createRng(1));
    expect(out.weight.length).toBe(0);
  });

  it('reads the weight through its own view (subarray at an offset)', () => {
    const backing = Float32Array.from([9, 9, 1, -2, 3, 9]);
    const weight = backing.subarray(2, 5);
    const out = applyPerturbation({ weight, shape: [3], channelAxis: 0 }, { kind: 'prune', ratio: 0.4 }, createRng(0));
    expect(Array.from(out.weight)).toEqual([0, -2, 3]);
    const flipped = applyPerturbation({ weight, shape: [3], channelAxis: 0 }, { kind: 'bitflip', rate: 1 }, createRng(0));
    expect(Array.from(bitsOf(flipped.weight))).toEqual(Array.from(bitsOf(weight), (b) => ~b >>> 0));
    expect(Array.from(backing)).toEqual([9, 9, 1, -2, 3, 9]);
  });

  it.each([
    [{ shape: [2, 4], channelAxis: 0 }, 'weight has 6 entries but shape [2, 4] needs 8'],
    [{ shape: [2, 3], channelAxis: 2 }, 'channelAxis must be an integer in [0, 1] for shape [2, 3], got 2'],
    [{ shape: [2, 3], channelAxis: -1 }, 'channelAxis must be an integer in [0, 1]'],
    [{ shape: [2, 3], channelAxis: 0.5 }, 'channelAxis must be an integer in [0, 1]'],
    [{ shape: [2, -3], channelAxis: 0 }, 'shape must hold non-negative integers, got [2, -3]'],
    [{ shape: [2, 3], channelAxis: 1, bias: new Float32Array(2) }, 'bias has 2 entries but the weight has 3 channels along axis 1'],
  ])('rejects an inconsistent target %#', (target, message) => {
    const apply = () => applyPerturbation({ weight: new Float32Array(6), ...target }, { kind: 'quant', bits: 8 }, createRng(0));
    expect(apply).toThrow(PerturbationError);
    expect(apply).toThrow(message);
  });

  it.each<[Perturbation, string]>([
    [{ kind: 'prune', ratio: 2 }, 'prune: ratio must be in [0, 1], got 2'],
    [{ kind: 'quantc', bits: 1 }, 'quantc: bits must be an integer in 2..16, got 1'],
    [{ kind: 'noise', sigma: NaN }, 'noise: sigma must be finite and ≥ 0, got NaN'],
    [{ kind: 'bitflip8', rate: -1 }, 'bitflip8: rate must be in [0, 1], got -1'],
  ])('rejects an invalid perturbation built in code: %j', (p, message) => {
    const apply = () => applyPerturbation({ weight: new Float32Array(1), shape: [1], channelAxis: 0 }, p, createRng(0));
    expect(apply).toThrow(PerturbationError);
    expect(apply).toThrow(message);
  });

  it('rejects an unknown kind from untyped callers', () => {
    const p = JSON.parse('{"kind":"prnue","ratio":0.5}') as Perturbation;
    expect(() => applyPerturbation({ weight: new Float32Array(1), shape: [1], channelAxis: 0 }, p, createRng(0))).toThrow(
      'unknown perturbation kind "prnue"',
    );
  });

  it('handles one-element tensors', () => {
    const one = (p: Perturbation) =>
      applyPerturbation({ weight: Float32Array.from([-0.7]), shape: [1], channelAxis: 0 }, p, createRng(0)).weight[0];
    expect(one({ kind: 'prune', ratio: 0.99 })).toBe(Math.fround(-0.7));
    expect(one({ kind: 'prune', ratio: 1 })).toBe(0);
    expect(one({ kind: 'prunec', ratio: 1 })).toBe(0);
    expect(one({ kind: 'quant', bits: 2 })).toBe(Math.fround(-0.7));
    expect(one({ kind: 'noise', sigma: 1 })).toBe(Math.fround(-0.7)); // std of one value is 0
  });
});

describe('the published data set', () => {
  it('writes every perturbation in canonical form, so rows stay reproducible now that specs are canonical', () => {
    const dir = new URL('../../zoo/dataset/', import.meta.url);
    const texts = new Set<string>();
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
      for (const line of readFileSync(new URL(name, dir), 'utf8').split('\n')) {
        if (line.trim() !== '') texts.add((JSON.parse(line) as { perturbation: string }).perturbation);
      }
    }
    expect(texts.size).toBeGreaterThan(10);
    for (const text of texts) expect(parsePerturbation(text).text, text).toBe(text);
  });
});
