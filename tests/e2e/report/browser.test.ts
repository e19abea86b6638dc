/**
 * The report in a real browser: Debian's chromium driven by playwright-core, every request but the
 * page's own refused and recorded. Checks that nothing else was asked for, that every chart drew
 * one mark per data row, that the embedded JSON is the report data, that the hover and the metric
 * switch work, and takes a screenshot of the full page: docs/report.png with SAFER_UPDATE_DOCS=1, otherwise
 * a file in the temporary directory (a test run leaves the checkout as it was).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport, type ReportData } from '../../../src/report/index.js';
import { ROOT } from '../../helpers/cli.js';
import { makeResultsDirs, type ResultsDirs } from './results-dir.js';

const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags, chromium tries Google's hosts at start (docs: .library/env/machines/node.md).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = process.env.SAFER_UPDATE_DOCS === '1' ? join(ROOT, 'docs/report.png') : join(tmpdir(), `safer-report-${process.pid}.png`);

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the browser test: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

describe.skipIf(!haveChromium)('the report in chromium, offline', () => {
  let dirs: ResultsDirs;
  let browser: Browser;
  let server: Server;
  let pageUrl: string;
  let data: ReportData;

  beforeAll(async () => {
    dirs = makeResultsDirs();
    const html = join(dirs.withBudgets, 'report.html');
    data = (await writeReport(dirs.withBudgets, html)).data;
    // The page's Content-Security-Policy would stop a request before it is made (and only log it);
    // served without it, every request the page attempts reaches the route below and is recorded.
    const page = readFileSync(html, 'utf8').replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
    expect(page).not.toContain('Content-Security-Policy');
    // A one-file server: the page is the only thing it has.
    server = createServer((request, response) => {
      if (request.url === '/report.html') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/report.html`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    dirs?.cleanup();
  });

  it('asks for nothing but the page, draws every chart from the data, and reads well (docs/report.png)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const requested: string[] = [];
    const refused: string[] = [];
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      requested.push(url);
      if (url === pageUrl) await route.continue();
      else {
        refused.push(url);
        await route.abort();
      }
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(pageUrl, { waitUntil: 'load' });

    // The embedded JSON is the report data.
    const embedded = await page.evaluate(() => JSON.parse(document.getElementById('safer-data')?.textContent ?? 'null') as unknown);
    expect(embedded).toEqual(JSON.parse(JSON.stringify(data)));

    // Marks per chart: what Vega drew, counted in the page, with a size on screen.
    const marks = (selector: string, role: string): Promise<{ label: string; width: number; height: number }[]> =>
      page.$$eval(`${selector} [role="graphics-symbol"][aria-roledescription="${role}"]`, (elements) => elements.map((e) => {
        const box = e.getBoundingClientRect();
        return { label: e.getAttribute('aria-label') ?? '', width: box.width, height: box.height };
      }));
    const s = data.sensitivity!;
    const heat = await marks('figure[data-chart="heat-map"][data-metric="drop"]', 'rect mark');
    expect(heat).toHaveLength(s.layers.length * s.perturbations.length);
    for (const cell of s.cells) {
      const mark = heat.find((m) => m.label.startsWith(`${cell.layer} × ${cell.perturbation}:`));
      expect(mark, `${cell.layer} × ${cell.perturbation}`).toBeDefined();
      expect(mark!.width).toBeGreaterThan(10);
      expect(mark!.height).toBeGreaterThan(10);
    }
    for (const family of s.families) {
      const points = await marks(`figure[data-chart="drop-vs-level"][data-family="${family}"]`, 'point');
      expect(points, family).toHaveLength(s.cells.filter((c) => c.family === family).length);
    }
    for (const r of data.criteria!.recommended) {
      expect(await marks(`figure[data-chart="criterion-scatter"][data-family="${r.family}"]`, 'point'), r.family).toHaveLength(r.points.length);
    }
    for (const b of data.budgets) {
      expect(await marks(`figure[data-chart="budget-curve"][data-kind="${b.kind}"]`, 'point'), b.kind).toHaveLength(b.curve!.length);
    }
    expect(await marks('figure[data-chart="ber-curve"]', 'point')).toHaveLength(data.ber!.length);
    expect(await page.$$eval('table.decision tbody tr', (rows) => rows.length)).toBe(data.decision.rows.length);

    // Hovering a heat-map cell shows its interval.
    const cell = s.cells[0]!;
    await page.hover(`figure[data-metric="drop"] [aria-label^="${cell.layer} × ${cell.perturbation}:"]`);
    await expect.poll(() => page.textContent('.tip')).toContain('95% interval');
    // The colour-by switch shows one heat map at a time.
    await page.check('input[name="heat-map-metric"][value="kl"]');
    expect(await page.isVisible('figure[data-metric="kl"]')).toBe(true);
    expect(await page.isVisible('figure[data-metric="drop"]')).toBe(false);
    await page.check('input[name="heat-map-metric"][value="drop"]');

    await page.mouse.move(0, 0);
    await page.evaluate(() => document.querySelector<HTMLElement>('.tip')?.setAttribute('hidden', ''));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await context.close();

    expect(refused).toEqual([]);
    expect(requested).toEqual([pageUrl]);
    expect(problems).toEqual([]);
  });
});
