/** Registry meta-tests: BUDGET_METHODS, the files in src/budget/methods, their tests, docs and declared needs agree. */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGET_KINDS, BUDGET_METHODS, DEFAULT_BUDGET_METHOD, baselineMethodsFor, findBudgetMethod, type AnyBudgetMethod } from '../../src/budget/index.js';

const SRC = 'src/budget/methods';
const methodFiles = readdirSync(SRC).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
const methods: readonly AnyBudgetMethod[] = Object.values(BUDGET_METHODS);
/** A method file's code without comments, string literals and its own `needs` declaration. */
const codeOf = (file: string) =>
  readFileSync(join(SRC, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'[^'\n]*'|`[^`]*`/g, "''")
    .replace(/needs: \{[^}]*\}/, '');

describe('budget method registry', () => {
  it('keys every method by its kebab-case id', () => {
    for (const [key, method] of Object.entries(BUDGET_METHODS)) {
      expect(method.id).toBe(key);
      expect(key).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    }
  });

  it('has one file per method, named after its id, and lists every such file', async () => {
    const fromFiles: AnyBudgetMethod[] = [];
    for (const file of methodFiles) {
      expect(readFileSync(join(SRC, file), 'utf8'), file).toMatch(/export default defineBudgetMethod\(/);
      const mod = (await import(`../../${SRC}/${file.replace(/\.ts$/, '.js')}`)) as { default: AnyBudgetMethod };
      expect(mod.default.id, file).toBe(basename(file, '.ts'));
      fromFiles.push(mod.default);
    }
    expect(new Set(methods)).toEqual(new Set(fromFiles));
  });

  it('gives every method a describe block of its own in tests/budget/methods.test.ts', () => {
    const tests = readFileSync('tests/budget/methods.test.ts', 'utf8');
    for (const { id } of methods) expect(tests, id).toContain(`describe('${id}', () => {`);
  });

  it('documents every method in docs/budgets.md', () => {
    const doc = readFileSync('docs/budgets.md', 'utf8');
    for (const { id } of methods) expect(doc, id).toContain(`\`${id}\``);
  });

  it.each(methodFiles)('%s declares exactly the inputs it reads', (file) => {
    const method = BUDGET_METHODS[basename(file, '.ts') as keyof typeof BUDGET_METHODS] as AnyBudgetMethod;
    const code = codeOf(file);
    expect(/\bcosts\b/.test(code), 'reads costs').toBe(method.needs.costs);
    expect(/\bweights\b/.test(code), 'reads weights').toBe(method.needs.weights);
    expect(/\btraces\b/.test(code), 'reads traces').toBe(method.needs.trace);
    if (method.needs.trace) expect(method.needs.data).toBe(true);
  });

  it('has the solver and at least one baseline for every kind', () => {
    expect(DEFAULT_BUDGET_METHOD).toBe('mckp');
    for (const kind of BUDGET_KINDS) {
      expect(BUDGET_METHODS.mckp.kinds).toContain(kind);
      expect(baselineMethodsFor(kind).length).toBeGreaterThan(0);
    }
  });

  it('names the methods of a kind when asked for an unknown one', () => {
    expect(() => findBudgetMethod('lamp', 'quant')).toThrow('unknown budget method "lamp" for quant; methods: mckp, hawq-v2, uniform, random');
    expect(findBudgetMethod('erk')).toBe(BUDGET_METHODS.erk);
  });
});
