/** Reads the score reports written by `safer score --json` (see src/criteria/score.ts), checking what the bench relies on. */
import { readFileSync } from 'node:fs';
import { BenchInputError } from './errors.js';

/** One criterion's scores on one model, as the bench sees it. */
export interface CriterionScores {
  name: string;
  /** The criterion's family (data-free, first-order, ...). */
  family: string;
  /** The perturbation the criterion models, if any (e.g. "quant:4"). */
  perturbation: string | null;
  /** The perturbation asked for with `safer score --for`, if the result was made that way. */
  for: string | null;
  seconds: number;
  passes: { forward: number; backward: number } | null;
  /** Finite scores only; layers whose score was null are absent. */
  scores: Map<string, number>;
}

export interface ModelScores {
  file: string;
  model: string;
  modelSha256: string;
  layers: string[];
  criteria: CriterionScores[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed score report; `file` names it in messages. */
export function parseScoreReport(value: unknown, file: string): ModelScores {
  const fail = (what: string): never => {
    throw new BenchInputError(`${file}: ${what}; expected the JSON written by "safer score --json"`);
  };
  if (!isObject(value)) return fail('not a JSON object');
  const sha = value.model_sha256;
  if (typeof sha !== 'string' || sha === '') return fail('no "model_sha256"');
  const layers = value.layers;
  if (!Array.isArray(layers) || !layers.every((l): l is string => typeof l === 'string')) return fail('"layers" is not a list of names');
  const criteria = value.criteria;
  if (!Array.isArray(criteria)) return fail('"criteria" is not a list');
  const out: CriterionScores[] = criteria.map((c: unknown, i): CriterionScores => {
    if (!isObject(c)) return fail(`criteria[${i}] is not an object`);
    const name = c.name;
    if (typeof name !== 'string' || name === '') return fail(`criteria[${i}] has no "name"`);
    const seconds = c.seconds;
    if (typeof seconds !== 'number' || !(seconds >= 0)) return fail(`criterion "${name}": "seconds" must be a number ≥ 0`);
    const scores = c.scores;
    if (!isObject(scores)) return fail(`criterion "${name}": "scores" must map layer names to numbers`);
    const map = new Map<string, number>();
    for (const [layer, s] of Object.entries(scores)) {
      if (s === null) continue;
      if (typeof s !== 'number' || !Number.isFinite(s)) return fail(`criterion "${name}": score of layer "${layer}" must be a finite number or null`);
      map.set(layer, s);
    }
    const passes = isObject(c.passes) && typeof c.passes.forward === 'number' && typeof c.passes.backward === 'number'
      ? { forward: c.passes.forward, backward: c.passes.backward }
      : null;
    return {
      name,
      family: typeof c.family === 'string' ? c.family : 'unknown',
      perturbation: typeof c.perturbation === 'string' ? c.perturbation : null,
      for: typeof c.for === 'string' ? c.for : null,
      seconds,
      passes,
      scores: map,
    };
  });
  return { file, model: typeof value.model === 'string' ? value.model : file, modelSha256: sha, layers, criteria: out };
}

export function readScoreFiles(paths: readonly string[]): ModelScores[] {
  return paths.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new BenchInputError(`${file}: cannot read score file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new BenchInputError(`${file}: not valid JSON (${(e as Error).message}); expected the output of "safer score --json"`);
    }
    return parseScoreReport(value, file);
  });
}
