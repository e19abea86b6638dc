/** Sweeps that share a results file, are interrupted, or are run again with other arguments. */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTmp } from '../data/helpers.js';
import { jsonOf, ROOT, safer } from '../helpers/cli.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);

const LIMIT = ['--limit', '300'];

interface Running {
  pid: number;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>;
  kill(signal: NodeJS.Signals): void;
}

function start(args: readonly string[]): Running {
  const child = spawn(process.execPath, [`${ROOT}dist/cli/main.js`, ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout }));
  });
  return { pid: child.pid as number, done, kill: (signal) => child.kill(signal) };
}

/** Waits until `file` holds at least `rows` complete lines. */
async function waitForRows(file: string, rows: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(file) && (readFileSync(file, 'utf8').match(/\n/g)?.length ?? 0) >= rows) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file} did not reach ${rows} rows`);
}

function lines(file: string): Array<{ layer: string; perturbation: string; seed: number }> {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { layer: string; perturbation: string; seed: number });
}

describe('two sweeps on one results file', () => {
  it('refuses the second writer with a message naming the first; the file holds each row once', async () => {
    const out = tmp.path('shared.jsonl');
    // 40 seeds make 25 bundles of jobs: the first sweep writes its first bundle's rows after a small part
    // of its run and is still running when the second one starts (with 12 seeds it finished in under a second).
    const args = ['sweep', ...LIMIT, '--perturb', 'bitflip:1e-3', '--seeds', '40', '--out', out, '--quiet'];
    const first = start(args);
    await waitForRows(out, 1);
    const second = safer(args);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^error: ${out.replace(/[.]/g, '\\.')} is being written by another sweep \\(pid ${first.pid} on .*, since .*\\); wait for it to finish, or use another --out\\n$`));
    const result = await first.done;
    expect(result.code).toBe(0);
    const rows = lines(out);
    expect(rows).toHaveLength(5 * 40);
    expect(new Set(rows.map((r) => `${r.layer} ${r.seed}`)).size).toBe(rows.length);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('repeated rows (written before the lock) are reported and not counted as seeds, by sweep and by bench', () => {
    const out = tmp.path('repeated.jsonl');
    const args = ['sweep', ...LIMIT, '--perturb', 'noise:0.5', '--seeds', '3', '--layers', 'fc1.weight,fc2.weight', '--out', out, '--json'];
    expect(safer(args).code).toBe(0);
    const text = readFileSync(out, 'utf8');
    writeFileSync(out, text + text);
    const r = safer(args);
    expect(r.stderr).toMatch(/6 repeated row\(s\) \(same model, layer, perturbation and seed\) were read; the last of each was kept/);
    const table = jsonOf<{ table: Record<string, Record<string, { seeds: number }>> }>(r).table;
    expect(table['fc1.weight']?.['noise:0.5']?.seeds).toBe(3);
    const scores = tmp.path('scores.json');
    expect(safer(['score', ...LIMIT, '--criteria', 'l2-norm,l1-norm', '--out', scores, '--quiet']).code).toBe(0);
    const bench = safer(['bench', '--truth', out, '--scores', scores]);
    expect(bench.stdout).toMatch(/## Notes[\s\S]*6 repeated row\(s\)/);
  });
});

describe('the summary of a sweep run again with other arguments', () => {
  it('shows what was asked, and says how many other rows the file holds', () => {
    const out = tmp.path('rerun.jsonl');
    const base = ['sweep', ...LIMIT, '--layers', 'fc2.weight', '--out', out];
    expect(safer([...base, '--perturb', 'prune:0.5,bitflip:1e-3', '--seeds', '3']).code).toBe(0);
    const again = safer([...base, '--perturb', 'quant:4,bitflip:0.001', '--seeds', '2', '--json']);
    expect(again.code).toBe(0);
    const { table } = jsonOf<{ table: Record<string, Record<string, { seeds: number }>> }>(again);
    expect(Object.keys(table['fc2.weight'] ?? {}).sort()).toEqual(['bitflip:1e-3', 'quant:4']);
    expect(table['fc2.weight']?.['bitflip:1e-3']?.seeds).toBe(2);
    expect(again.stderr).toMatch(/2 other rows in .*rerun\.jsonl \(other perturbations, seeds, layers or models\) are not shown/);
    const text = safer([...base, '--perturb', 'quant:4', '--seeds', '2']);
    expect(text.stdout).toMatch(/>?quant:4/);
    expect(text.stdout).not.toMatch(/prune:0\.5|bitflip/);
    // bitflip:0.001 was bitflip:1e-3 measured again: the same rows, not new ones.
    expect(lines(out).filter((r) => r.perturbation === 'bitflip:1e-3')).toHaveLength(3);
  });
});

describe('an interrupted sweep', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: says how many rows were written, exits %i, leaves a valid file and no lock; a rerun resumes', async (signal, code) => {
    const out = tmp.path(`interrupted-${signal}.jsonl`);
    const args = ['sweep', ...LIMIT, '--perturb', 'bitflip:1e-3', '--seeds', '100', '--out', out];
    const running = start(args);
    await waitForRows(out, 3);
    running.kill(signal);
    const result = await running.done;
    expect(result.code).toBe(code);
    const written = lines(out).length;
    expect(result.stderr).toMatch(new RegExp(`interrupted; ${written} of 500 rows written to .*interrupted-${signal}\\.jsonl; run again to resume\\n$`));
    expect(readFileSync(out, 'utf8').endsWith('\n')).toBe(true);
    expect(existsSync(`${out}.lock`)).toBe(false);
    const resumed = start([...args, '--seeds', '1']);
    const again = await resumed.done;
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`${written} rows already there`));
  });
});

describe('the published data set, now that perturbation specs are canonical', () => {
  it('still reproduces its rows (safer dataset verify on a sample of the lenet5 and mlp rows)', () => {
    const dir = tmp.path('dataset');
    mkdirSync(dir);
    for (const name of ['lenet5.jsonl', 'mlp.jsonl']) copyFileSync(`${ROOT}zoo/dataset/${name}`, `${dir}/${name}`);
    const r = safer(['dataset', 'verify', '--dataset', dir, '--sample', '6', '--seed', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { sampled: number; reproduced: number; rows: { perturbation: string }[] };
    expect(report.sampled).toBe(6);
    expect(report.reproduced).toBe(6);
  });
});
