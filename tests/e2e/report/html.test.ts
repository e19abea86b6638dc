import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedJson, readResults, renderReportHtml, renderReportMarkdown, resultsHref, writeReport } from '../../../src/report/index.js';
import { jsonOf, safer } from '../../helpers/cli.js';
import { makeResultsDirs, type ResultsDirs } from './results-dir.js';

/** The JSON embedded in a report page. */
function embedded(html: string): unknown {
  const json = /<script type="application\/json" id="safer-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  expect(json).toBeDefined();
  return JSON.parse(json as string);
}

describe('the report page', () => {
  let dirs: ResultsDirs;
  beforeAll(() => {
    dirs = makeResultsDirs();
  });
  afterAll(() => dirs.cleanup());

  it('writes report.html, report.md and report.json beside it, quickly, and the page embeds the same data', async () => {
    const out = join(dirs.root, 'out', 'report.html');
    const written = await writeReport(dirs.withBudgets, out);
    console.log(`report of ${dirs.withBudgets}: read ${written.seconds.read.toFixed(3)} s, charts ${written.seconds.charts.toFixed(3)} s, total ${written.seconds.total.toFixed(3)} s`);
    expect(written.seconds.total).toBeLessThan(10);
    const html = readFileSync(out, 'utf8');
    expect(embedded(html)).toEqual(JSON.parse(readFileSync(join(dirs.root, 'out', 'report.json'), 'utf8')));
    expect(embedded(html)).toEqual(JSON.parse(JSON.stringify(written.data)));
    // The decision row of fc1: its bits, pruned share and protection, from the plans.
    expect(readFileSync(join(dirs.root, 'out', 'report.md'), 'utf8')).toMatch(/^\| fc1\.weight \| 73\.9k \| \d+ \| \d+% \| (yes|no) \|$/m);
    // Links from the page's folder to the plan files in the results dir.
    expect(html).toContain(`href="../with-budgets/plan-quant.json"`);
  });

  it('loads nothing: no src attributes, no links or urls to a network, a CSP that forbids fetching', async () => {
    const { html } = await renderReportHtml(readResults(dirs.withBudgets), { resultsHref: '' });
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html).not.toMatch(/\ssrc=/);
    expect(html).not.toMatch(/href="(https?:)?\/\//);
    expect(html).not.toMatch(/url\((?!#)/);
    expect(html).not.toMatch(/@import|<link/);
    // The only URLs are XML namespaces and the Vega-Lite schema id in nothing executable.
    const urls = [...new Set(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [])];
    expect(urls.every((u) => u.startsWith('http://www.w3.org/'))).toBe(true);
  });

  it('embeds data that cannot close its script element', () => {
    const value = { layer: '</script><script>alert(1)</script>', text: '<!-- x' };
    const html = `<script type="application/json" id="safer-data">${embedJson(value)}</script>`;
    expect(embedded(html)).toEqual(value);
  });

  it('says which command writes the input of each section that has none', async () => {
    const { html } = await renderReportHtml(readResults(dirs.assess), { resultsHref: '' });
    expect(html).toMatch(/No <code>curve-quant\.json<\/code> or <code>plan-quant\.json<\/code> in this dir\. <span>Written by the budget step/);
    expect(html).toMatch(/No <code>ber-curve\.json<\/code> in this dir/);
    expect(html).toMatch(/No budget plans yet, so this is the verdict of <code>safer assess<\/code>/);
    const sweepOnly = readResults(dirs.assess);
    const { html: noScores } = await renderReportHtml({ ...sweepOnly, criteria: null }, { resultsHref: '' });
    expect(noScores).toContain(`Written by <code>safer score --out ${dirs.assess}/scores.json</code>`);
    const { html: noSweep } = await renderReportHtml({ ...sweepOnly, sensitivity: null }, { resultsHref: '' });
    expect(noSweep).toContain(`No sweep results (sweep.jsonl) in this dir. <span>Written by <code>safer assess --out ${dirs.assess}</code>`);
  });

  it('report.md has the drop table with intervals and the decision', () => {
    const md = renderReportMarkdown(readResults(dirs.assess));
    expect(md).toMatch(/^\| layer \| prune:0\.3 \| prune:0\.5 \| .* \| bitflip:1e-4 \|$/m);
    expect(md).toMatch(/^\| conv1\.weight \| −?\d+\.\d\d ± \d+\.\d\d \|/m);
    expect(md).toMatch(/^The verdict of `safer assess` \(harmless: drop ≤ 0\.50 pp\)\.$/m);
  });

  it('links to the results dir relative to the page', () => {
    expect(resultsHref('/a/b', '/a/b')).toBe('');
    expect(resultsHref('/a/out', '/a/run dir')).toBe('../run%20dir/');
  });
});

describe('safer report', () => {
  let dirs: ResultsDirs;
  beforeAll(() => {
    dirs = makeResultsDirs();
  });
  afterAll(() => dirs.cleanup());

  it('re-renders a results dir into <from>/report.html by default, and prints the report data with --json', () => {
    // The assess dir of results-dir.ts has no report files: report writes them.
    expect(existsSync(join(dirs.assess, 'report.md'))).toBe(false);
    const r = safer(['report', '--from', dirs.assess]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^wrote \S+\/report\.html \(also \S+\/report\.md, \S+\/report\.json\) from \S+ in \d+\.\d\d s; not in the results, so their sections say how to make them: budget plans and curves$/);
    expect(existsSync(join(dirs.assess, 'report.md'))).toBe(true);
    const data = jsonOf<{ schema: string; version: number; sensitivity: { cells: unknown[] } }>(safer(['report', '--from', dirs.assess, '--out', join(dirs.root, 'x.html'), '--json']));
    expect(data.schema).toBe('safer-report');
    expect(data.sensitivity.cells).toHaveLength(50);
  });

  it.each([
    [['--from', '/nonexistent/run'], 1, /^error: \/nonexistent\/run: cannot read results dir \(ENOENT\)$/],
    [['--from', 'x', '--out', 'report.txt'], 2, /^error: --out must name an \.html file, got "report\.txt"$/],
    [['run'], 2, /^error: unexpected argument "run" for "safer report"; name the results dir with --from$/],
  ])('fails with one line, exit 1 on bad results and 2 on a usage error: %j', (args, code, message) => {
    const r = safer(['report', ...args]);
    expect(r.code).toBe(code);
    expect(r.stderr.trim()).toMatch(message);
  });
});
