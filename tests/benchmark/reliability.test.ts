/** The reliability and noise ceiling of one cell's ranking of layers, by hand and against simulated truths. */
import { describe, expect, it } from 'vitest';
import { spearman } from '../../src/benchmark/rank-metrics.js';
import { cellReliability, type MeasuredDrop } from '../../src/benchmark/reliability.js';
import { createRng, type Rng } from '../../src/perturb/index.js';

const paired = (drops: readonly number[], errors: readonly number[]): MeasuredDrop[] =>
  drops.map((drop, i) => ({ drop, se: errors[i] as number, seSource: 'paired' }));

describe('cellReliability by hand', () => {
  it('has signal τ²/V = 1 − mean(se²)/var(drops)', () => {
    // var([0, 0.01, 0.02]) = 1e-4 (n − 1), mean se² = 2.5e-5: signal 0.75.
    const r = cellReliability(paired([0, 0.01, 0.02], [0.005, 0.005, 0.005]))!;
    expect(r.signal).toBeCloseTo(0.75, 12);
    expect(r.kind).toBe('estimate');
    expect(r.layers).toBe(3);
    expect(r.reliability).toBeGreaterThan(0);
    expect(r.ceiling).toBeGreaterThanOrEqual(r.reliability - 0.05); // ceiling ≈ √reliability ≥ reliability
  });

  it('is 1 for exact drops, 0 when the noise exceeds the spread or the drops are equal', () => {
    expect(cellReliability(paired([0.3, 0.01, 0.02, 0], [0, 0, 0, 0]))).toMatchObject({ reliability: 1, ceiling: 1, signal: 1 });
    expect(cellReliability(paired([0.001, 0.002, 0], [0.01, 0.01, 0.01]))).toMatchObject({ reliability: 0, ceiling: 0, signal: 0 });
    expect(cellReliability(paired([0.01, 0.01, 0.01], [0.001, 0.001, 0.001]))).toMatchObject({ reliability: 0, ceiling: 0 });
  });

  it('says what kind of estimate its errors give, and is unknown below 3 layers or with an unknown error', () => {
    const drops = [0, 0.05, 0.1, 0.3];
    const of = (source: MeasuredDrop['seSource'][]) => cellReliability(drops.map((drop, i) => ({ drop, se: 0.01, seSource: source[i % source.length]! })))?.kind ?? null;
    expect(of(['paired'])).toBe('estimate');
    expect(of(['changed-bound'])).toBe('lower-bound');
    expect(of(['paired', 'changed-bound'])).toBe('lower-bound');
    expect(of(['seeds'])).toBe('upper-bound');
    expect(of(['seeds', 'paired'])).toBeNull();
    expect(cellReliability(paired([0, 0.1], [0.01, 0.01]))).toBeNull();
    expect(cellReliability([{ drop: 0, se: null, seSource: 'none' }, ...paired([0.1, 0.2], [0.01, 0.01])])).toBeNull();
  });

  it('is reproducible (a fixed seed) and depends on the seed only through simulation noise', () => {
    const cells = paired([0.01, 0.02, 0.04, 0.03, 0.015, 0.05], [0.006, 0.006, 0.008, 0.007, 0.006, 0.009]);
    expect(cellReliability(cells)).toEqual(cellReliability(cells));
    const a = cellReliability(cells, { seed: 1, simulations: 2000 })!;
    const b = cellReliability(cells, { seed: 2, simulations: 2000 })!;
    expect(Math.abs(a.ceiling - b.ceiling)).toBeLessThan(0.03);
  });
});

/** A known truth per scenario, its errors, and a measurement of it. */
type Scenario = (rng: Rng) => { truth: number[]; errors: number[] };
const exponential = (rng: Rng, mean: number) => -mean * Math.log(1 - rng.nextFloat());
const binomialError = (t: number) => 1.4 * Math.sqrt(Math.max(t, 0.0005) / 10_000); // paired error on 10,000 images

const SCENARIOS: [string, Scenario][] = [
  ['normal drops, equal errors (moderate signal)', (rng) => {
    const truth = Array.from({ length: 20 }, () => 0.02 + 0.01 * rng.normal());
    return { truth, errors: truth.map(() => 0.006) };
  }],
  ['skewed drops, errors growing with the drop (one fragile layer)', (rng) => {
    const truth = Array.from({ length: 20 }, () => exponential(rng, 0.004));
    truth[0] = 0.4;
    return { truth, errors: truth.map(binomialError) };
  }],
  ['a few fragile layers among many robust ones', (rng) => {
    const truth = [...Array.from({ length: 37 }, () => exponential(rng, 0.002)), 0.2, 0.3, 0.05];
    return { truth, errors: truth.map(binomialError) };
  }],
];

describe('cellReliability against simulated cells with a known truth', () => {
  const measure = (rng: Rng, truth: readonly number[], errors: readonly number[]) => truth.map((t, i) => t + (errors[i] as number) * rng.normal());

  it.each(SCENARIOS)('the ceiling is the realised ρ(truth, measurement) and the reliability the realised test–retest ρ, within 0.06 on average: %s', (_, scenario) => {
    const rng = createRng(11);
    const realisedCeiling: number[] = [];
    const realisedRetest: number[] = [];
    const estimatedCeiling: number[] = [];
    const estimatedRetest: number[] = [];
    for (let rep = 0; rep < 30; rep++) {
      const { truth, errors } = scenario(rng);
      const measured = measure(rng, truth, errors);
      realisedCeiling.push(spearman(truth, measured) ?? 0);
      realisedRetest.push(spearman(measured, measure(rng, truth, errors)) ?? 0);
      const r = cellReliability(paired(measured, errors), { seed: rep })!;
      estimatedCeiling.push(r.ceiling);
      estimatedRetest.push(r.reliability);
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(Math.abs(mean(estimatedCeiling) - mean(realisedCeiling))).toBeLessThan(0.06);
    expect(Math.abs(mean(estimatedRetest) - mean(realisedRetest))).toBeLessThan(0.06);
  });

  it('finds no ranking in pure noise: every estimate far below a 0.8 threshold', () => {
    const rng = createRng(5);
    const ceilings: number[] = [];
    for (let rep = 0; rep < 30; rep++) {
      const errors = Array.from({ length: 30 }, () => 0.003);
      const measured = measure(rng, errors.map(() => 0.01), errors);
      const r = cellReliability(paired(measured, errors), { seed: rep })!;
      expect(r.reliability).toBeLessThan(0.6);
      ceilings.push(r.ceiling);
    }
    expect(ceilings.reduce((a, b) => a + b, 0) / ceilings.length).toBeLessThan(0.25);
  });
});
