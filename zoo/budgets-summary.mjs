// Markdown tables of the zoo's budget results (zoo/budgets/<model>/*.json, written by zoo/budgets-all.mjs):
// per model and budget, the default plan against the best baseline, with the headroom (the unperturbed
// model's accuracy minus the best baseline's: a gain of 1 point needs that much) and a reading of why the
// default is not 1 point better where it is not; and the budget regret of each
// criterion, its plan's accuracy minus the oracle's (the plan from measured sweep rows) at the same budget.
// Usage: node zoo/budgets-summary.mjs            (prints Markdown for docs/budgets.md and docs/benchmark.md; needs a built dist/)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanInterval } from '../dist/stats/intervals.js';

const ROOT = new URL('..', import.meta.url).pathname;
const DIR = join(ROOT, 'zoo/budgets');
const Z = 1.959963984540054;
const pct = (x) => (100 * x).toFixed(2);
const pp = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
const read = (model, name) => {
  const file = join(DIR, model, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
};
const halfWidth = (p) => (p.interval[1] - p.interval[0]) / 2;
const BASELINES = new Set(['uniform', 'uniform-plus', 'global-magnitude', 'erk', 'lamp', 'random', 'hawq-v2', 'none', 'largest-first']);

const models = existsSync(DIR) ? readdirSync(DIR).filter((m) => existsSync(join(DIR, m, 'base.json'))).sort() : [];
const lines = [];
const tally = { points: 0, atLeast: 0, byOne: 0, worse: [], why: new Map() };
for (const [name, label, unit] of [['curve-quant', 'quant', 'average bits'], ['curve-prune', 'prune', 'sparsity'], ['curve-protect', 'protect', 'overhead']]) {
  lines.push(`### ${label}`, '', `| model | ${unit} | default plan | best baseline | difference (pp) | ±95% (pp) | headroom (pp) | reading |`, '|---|---:|---:|---|---:|---:|---:|---|');
  for (const m of models) {
    const points = read(m, name);
    if (!points) continue;
    // The unperturbed model on the same images: the test set, or its first images for protect (ber.json).
    const base = label === 'protect' ? read(m, 'ber')?.base : read(m, 'base')?.accuracy;
    for (const budget of [...new Set(points.map((p) => p.budget))]) {
      const at = points.filter((p) => p.budget === budget);
      const mine = at.find((p) => p.method === 'safer');
      const baselines = at.filter((p) => BASELINES.has(p.method)).sort((a, b) => b.accuracy - a.accuracy);
      const best = baselines[0];
      if (!mine || !best) continue;
      const d = mine.accuracy - best.accuracy;
      // Protect points with their fault trials pair trial by trial (the same flips in the layers both leave open):
      // Student's t interval of the paired differences. Otherwise the unpaired interval, wider than the paired one
      // that the shared images would give.
      const paired = mine.trials && best.trials && mine.trials.length === best.trials.length
        ? meanInterval(mine.trials.map((t, i) => t - best.trials[i])).interval : null;
      const ci = paired ? (paired[1] - paired[0]) / 2 : Z * Math.sqrt((halfWidth(mine) / Z) ** 2 + (halfWidth(best) / Z) ** 2);
      const headroom = base === undefined ? NaN : base - best.accuracy;
      // Why the default plan is not 1 point better, when it is not: in this order.
      const reading = d >= 0.01 && d > ci ? 'better by ≥ 1 pt'
        : d >= 0.01 ? 'better by ≥ 1 pt, within noise'
        : headroom < 0.01 ? 'headroom < 1 pt'
        : Math.abs(d) < 1e-12 ? 'the best baseline\'s plan'
        : Math.abs(d) <= ci ? 'within noise'
        : d < 0 ? 'worse' : 'better, by < 1 pt';
      tally.points++;
      tally.why.set(reading, (tally.why.get(reading) ?? 0) + 1);
      if (d >= -1e-12) tally.atLeast++;
      if (d >= 0.01) tally.byOne++;
      if (d < -1e-12) tally.worse.push(`${m} ${label} ${budget} (${pp(d)})`);
      lines.push(`| ${m} | ${budget} | ${pct(mine.accuracy)} | ${best.method} ${pct(best.accuracy)} | ${pp(d)} | ${(100 * ci).toFixed(2)} | ${Number.isFinite(headroom) ? (100 * headroom).toFixed(2) : '–'} | ${reading} |`);
    }
  }
  lines.push('');
}
lines.push(
  `Default plan at least as accurate as the best baseline at ${tally.atLeast} of ${tally.points} points, better by ≥ 1 pt at ${tally.byOne}; below it at: ${tally.worse.join(', ') || 'none'}.`,
  `Readings: ${[...tally.why].map(([k, v]) => `${k} ${v}`).join(', ')}.`,
  '',
);

// Regret: criterion plan − oracle plan, per model and budget, then the mean over them.
const REGRET_KIND = { 'regret-quant': 'quant', 'regret-quant-v2': 'quant, bits 2–8', 'curve-prune': 'prune' };
const regret = new Map();
for (const m of models) {
  for (const name of ['regret-quant', 'regret-quant-v2', 'curve-prune']) {
    const points = read(m, name);
    if (!points) continue;
    for (const budget of [...new Set(points.map((p) => p.budget))]) {
      const at = points.filter((p) => p.budget === budget);
      const oracle = at.find((p) => p.method === 'oracle');
      if (!oracle) continue;
      for (const p of at) {
        if (p.method === 'oracle') continue;
        const key = `${REGRET_KIND[name]}\u0000${p.method}`;
        regret.set(key, [...(regret.get(key) ?? []), p.accuracy - oracle.accuracy]);
      }
    }
  }
}
lines.push('### Budget regret (plan accuracy − oracle plan accuracy, pp)', '', '| kind | plan from | points | mean | worst | best |', '|---|---|---:|---:|---:|---:|');
const rowsOut = [...regret].map(([key, values]) => {
  const [kind, method] = key.split('\u0000');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { kind, method, n: values.length, mean, worst: Math.min(...values), best: Math.max(...values) };
}).sort((a, b) => a.kind.localeCompare(b.kind) || b.mean - a.mean);
for (const r of rowsOut) lines.push(`| ${r.kind} | ${r.method} | ${r.n} | ${pp(r.mean)} | ${pp(r.worst)} | ${pp(r.best)} |`);
console.log(lines.join('\n'));
