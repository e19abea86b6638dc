/**
 * Writes a report from a results dir: report.html (the page), and beside it the Markdown summary and
 * the ReportData JSON with the same name (report.md, report.json). Nothing is re-run.
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../output/files.js';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { renderReportHtml } from './html.js';
import { renderReportMarkdown } from './markdown.js';
import { readResults } from './read-results.js';
import type { ReportData } from './report-data.js';

export interface WriteReportOptions {
  /** The command line that asked for the report, shown in its footer. */
  command?: string;
  /** Time stamp of the report (default now). */
  now?: Date;
}

export interface WrittenReport {
  files: { html: string; markdown: string; json: string };
  data: ReportData;
  /** Wall time: reading the results, rendering the charts, and all of it. */
  seconds: { read: number; charts: number; total: number };
}

/** Reads `fromDir` and writes the report to `htmlPath` (…/report.html), report.md and report.json beside it. */
export async function writeReport(fromDir: string, htmlPath: string, options: WriteReportOptions = {}): Promise<WrittenReport> {
  const started = performance.now();
  const data = readResults(fromDir, options.now ? { now: options.now } : {});
  const read = (performance.now() - started) / 1000;
  const outDir = dirname(htmlPath);
  const stem = join(outDir, basename(htmlPath, extname(htmlPath)));
  const { html, chartSeconds } = await renderReportHtml(data, { resultsHref: resultsHref(outDir, fromDir), command: options.command ?? null });
  const files = { html: htmlPath, markdown: `${stem}.md`, json: `${stem}.json` };
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(files.json, JSON.stringify(data, null, 2) + '\n');
  writeFileAtomic(files.markdown, renderReportMarkdown(data));
  writeFileAtomic(files.html, html);
  return { files, data, seconds: { read, charts: chartSeconds, total: (performance.now() - started) / 1000 } };
}

/** The results dir as a relative link from the page's folder: "" when the same, else "path/". */
export function resultsHref(pageDir: string, resultsDir: string): string {
  const rel = relative(resolve(pageDir), resolve(resultsDir));
  return rel === '' ? '' : `${rel.split(sep).map(encodeURIComponent).join('/')}/`;
}


