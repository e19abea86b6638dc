/**
 * The report page: one self-contained HTML file. Charts are inline SVG rendered here by Vega-Lite,
 * the ReportData is embedded as JSON (`<script type="application/json" id="safer-data">`), and a
 * Content-Security-Policy forbids the page from loading anything at all.
 */
import { percent } from './format.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import type { ReportData } from './report-data.js';
import { atAGlance } from './sections/at-a-glance.js';
import { berSection } from './sections/ber.js';
import { budgetsSection } from './sections/budgets.js';
import { criteriaSection } from './sections/criteria.js';
import { decisionSection } from './sections/decision.js';
import { dropVsLevelSection } from './sections/drop-vs-level.js';
import { esc } from './sections/html-util.js';
import { modelSummarySection } from './sections/model-summary.js';
import { reproducibilitySection } from './sections/reproducibility.js';
import type { Section, SectionContext } from './sections/section.js';
import { sensitivitySection } from './sections/sensitivity.js';

export interface HtmlOptions {
  /** The results dir as a link from the page's folder ("" or ending in "/"). */
  resultsHref: string;
  /** The command that rendered the report, for the footer. */
  command?: string | null;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

export async function renderReportHtml(data: ReportData, options: HtmlOptions): Promise<{ html: string; chartSeconds: number }> {
  const context: SectionContext = { data, resultsHref: options.resultsHref, dir: data.source.dir };
  const started = performance.now();
  const charted = await Promise.all([
    modelSummarySection(context),
    sensitivitySection(context),
    dropVsLevelSection(context),
    criteriaSection(context),
    budgetsSection(context),
    berSection(context),
    decisionSection(context),
  ]);
  const chartSeconds = (performance.now() - started) / 1000;
  const sections: Section[] = [...charted, reproducibilitySection(context, { command: options.command ?? null, seconds: chartSeconds })];
  const name = data.model.path?.split('/').pop() ?? 'a model';
  const glance = atAGlance(data);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(data.generated.by)}">
<title>Layer sensitivity of ${esc(name)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<header>
<h1>Layer sensitivity of ${esc(name)}</h1>
<p>${data.model.layers.length} weight layers${data.model.baseAccuracy !== null ? `, base accuracy ${percent(data.model.baseAccuracy)}` : ''}${data.model.data.images !== null ? ` on ${data.model.data.images.toLocaleString('en-US')} images` : ''}. Report of ${esc(data.generated.at.slice(0, 10))} by ${esc(data.generated.by)}.</p>
</header>
${glance.length > 0 ? `<div class="glance"><ul>${glance.map((l) => `<li>${l}</li>`).join('')}</ul></div>` : ''}
<nav><ol>${sections.map((s) => `<li><a href="#${s.id}">${esc(s.title)}</a></li>`).join('')}</ol></nav>
${sections.map((s) => `<section id="${s.id}">\n<h2>${esc(s.title)}</h2>\n${s.html}\n</section>`).join('\n')}
<footer>The numbers behind every chart are in this page: <code>JSON.parse(document.getElementById('safer-data').textContent)</code>, and in report.json beside it.</footer>
</main>
<script type="application/json" id="safer-data">${embedJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
  return { html, chartSeconds };
}

/** JSON that cannot end its script element: every "<" is written as \\u003c. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
