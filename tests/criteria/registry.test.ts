/** Registry meta-tests: the CRITERIA table, file names, docs and declared needs agree. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptsKind, CRITERIA, criterionInstance, resolveCriteria } from '../../src/criteria/index.js';
import type { Criterion } from '../../src/criteria/criterion.js';
import { parsePerturbation } from '../../src/perturb/index.js';
import { memoryData, mlp, scoresOf } from './helpers.js';

const SRC = 'src/criteria';
const DOCS = 'docs/criteria';

/** The files under src/criteria that define a criterion (export default defineCriterion). */
const criterionFiles = readdirSync(SRC).filter((f) => f.endsWith('.ts') && /export default defineCriterion\(/.test(readFileSync(join(SRC, f), 'utf8')));

/** What every criterion imports to be one: the interface and the context, which name every capability. */
const INFRASTRUCTURE = new Set(['criterion.ts', 'criterion-context.ts', 'needs.ts', 'scoring-session.ts']);

/** A file's source plus every local module it imports, transitively (the infrastructure aside). */
function sourceWithImports(file: string, seen = new Set<string>()): string {
  if (seen.has(file)) return '';
  seen.add(file);
  const text = readFileSync(join(SRC, file), 'utf8');
  const local = [...text.matchAll(/from '\.\/([a-z0-9-]+)\.js'/g)].map((m) => `${m[1]}.ts`);
  return [text, ...local.filter((f) => !INFRASTRUCTURE.has(f)).map((f) => sourceWithImports(f, seen))].join('\n');
}

const USES_GRADIENTS = /\bctx\.(gradients|gradientStatistics|gradientsAt|forEachBatchGradient|hvp)\b/;
const USES_HVP = /\bctx\.hvp\b/;

describe('criteria registry', () => {
  it('has unique kebab-case ids', () => {
    const ids = CRITERIA.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it('has one file per criterion, named after its id, and lists every such file', async () => {
    const fromFiles: Criterion[] = [];
    for (const file of criterionFiles) {
      const mod = (await import(`../../${SRC}/${file.replace(/\.ts$/, '.js')}`)) as { default: Criterion };
      expect(mod.default.id, file).toBe(basename(file, '.ts'));
      fromFiles.push(mod.default);
    }
    expect(new Set(CRITERIA)).toEqual(new Set(fromFiles));
  });

  it.each(CRITERIA.map((c) => [c.id, c] as const))('%s has docs/criteria/<id>.md with its formula and source', (id, c) => {
    const path = join(DOCS, `${id}.md`);
    expect(existsSync(path), path).toBe(true);
    const doc = readFileSync(path, 'utf8');
    expect(doc.startsWith(`# ${id}\n`), `${path} starts with "# ${id}"`).toBe(true);
    expect(doc).toContain('## Formula');
    expect(doc, `${path} quotes the formula`).toContain(c.formula);
    expect(doc).toContain('## Source');
    expect(doc, `${path} names the source`).toContain(c.cite);
    expect(doc).toContain(`Family: ${c.family}`);
  });

  it('lists every criterion, in table order, in docs/criteria/README.md', () => {
    const readme = readFileSync(join(DOCS, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| \[([a-z0-9-]+)\]\(\1\.md\) \| ([a-z-]+) \|/gm)].map((m) => [m[1], m[2]]);
    expect(listed).toEqual(CRITERIA.map((c) => [c.id, c.family]));
  });

  it('has no docs page without a criterion', () => {
    const ids = new Set(CRITERIA.map((c) => c.id));
    for (const f of readdirSync(DOCS).filter((f) => f.endsWith('.md') && f !== 'README.md')) expect(ids.has(basename(f, '.md')), f).toBe(true);
  });

  it.each(criterionFiles)('%s declares needs.gradients and needs.hvp iff its code uses them', async (file) => {
    const c = ((await import(`../../${SRC}/${file.replace(/\.ts$/, '.js')}`)) as { default: Criterion }).default;
    const source = sourceWithImports(file);
    expect(USES_GRADIENTS.test(source), `${file} uses gradients`).toBe(c.needs.gradients);
    expect(USES_HVP.test(source), `${file} uses Hessian-vector products`).toBe(c.needs.hvp);
  });

  it('gives each perturbation parameter a default it accepts', () => {
    for (const c of CRITERIA.filter((c) => c.perturbation)) {
      const parameter = c.perturbation as NonNullable<typeof c.perturbation>;
      expect(acceptsKind(parameter, parsePerturbation(parameter.default).perturbation.kind), c.id).toBe(true);
    }
  });
});

describe('every criterion on a tiny model', () => {
  const model = mlp({ W1: [0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, -0.1, 0.05, 0.3, -0.7, 0.2], b1: [0.1, 0, -0.1], W2: [0.5, -0.3, 0.8, -0.6, 0.4, 0.1], b2: [0, 0.1] });
  const data = memoryData(16, [4], 2);

  it.each(CRITERIA.map((c) => [c.id, c] as const))('%s gives a finite score per layer, without data if it declares none', async (id, c) => {
    const scores = await scoresOf(model, id, c.needs.data ? data : undefined);
    expect(Object.keys(scores)).toEqual(['W1', 'W2']);
    for (const v of Object.values(scores)) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('criterion lists', () => {
  it('resolves ids, @perturbation parameters, families and all', () => {
    expect(resolveCriteria(['l2-norm', 'quant-error@quant:8', 'quant-error@quant:4']).map((i) => i.name)).toEqual(['l2-norm', 'quant-error@quant:8', 'quant-error']);
    expect(resolveCriteria(['output']).map((i) => i.name)).toEqual(['output-kl', 'output-mse']);
    expect(resolveCriteria(['all', 'random']).length).toBe(CRITERIA.length);
    // "default" is the benchmark's recommendation (tests/criteria/recommended.test.ts): never the costly Hutchinson estimator.
    expect(resolveCriteria(['default']).map((i) => i.name)).not.toContain('hutchinson-trace');
    expect(criterionInstance('output-kl@bitflip:1e-4').name).toBe('output-kl@bitflip:1e-4');
  });

  it('explains unknown names and misplaced parameters', () => {
    expect(() => criterionInstance('l3-norm')).toThrow(/unknown criterion "l3-norm"; criteria: param-count/);
    expect(() => criterionInstance('l2-norm@quant:4')).toThrow(/takes no perturbation parameter/);
    expect(() => criterionInstance('quant-error@prune:0.5')).toThrow(/models quant, quantc perturbations, not "prune:0.5"/);
    expect(() => criterionInstance('quant-error@quant:99')).toThrow(/bits must be an integer/);
    expect(() => resolveCriteria([])).toThrow(/no criteria named/);
  });
});
