/** Meta-tests that keep the gradient registry, the rule files and the test table in agreement. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRAD_RULES } from '../../src/autodiff/index.js';
import type { GradEntry } from '../../src/autodiff/index.js';
import { CASES } from './gradcheck.cases.js';

const entries = Object.entries(GRAD_RULES) as [string, GradEntry][];
const ruleFiles = readdirSync('src/autodiff/rules').filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3));

describe('GRAD_RULES', () => {
  it('has one rule file per rule, named after the op type', () => {
    const rules = entries.filter(([, e]) => e.kind === 'rule').map(([k]) => k).sort();
    expect(rules).toEqual([...ruleFiles].sort());
  });

  it('keys every rule by its own op type', () => {
    for (const [key, entry] of entries) if (entry.kind === 'rule') expect(entry.opType, key).toBe(key);
  });

  it('has at least one finite-difference case for every rule', () => {
    const covered = new Set(CASES.map((c) => c.op));
    const missing = entries.filter(([k, e]) => e.kind === 'rule' && !covered.has(k)).map(([k]) => k);
    expect(missing).toEqual([]);
  });

  it('has no case for an op without a rule', () => {
    const unknown = CASES.filter((c) => (GRAD_RULES as Record<string, GradEntry | undefined>)[c.op]?.kind !== 'rule').map((c) => c.op);
    expect(unknown).toEqual([]);
  });

  it('gives every case a distinct name', () => {
    const names = CASES.map((c) => `${c.op}: ${c.name}`);
    expect(new Set(names).size).toBe(names.length);
  });
});
