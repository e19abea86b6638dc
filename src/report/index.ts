/** The report module's public API: read a results dir, render it, write report.html/.md/.json. */
export { ReportInputError } from './errors.js';
export { embedJson, renderReportHtml, type HtmlOptions } from './html.js';
export { renderReportMarkdown } from './markdown.js';
export { readResults, type ReadResultsOptions } from './read-results.js';
export * from './report-data.js';
export { resultsHref, writeReport, type WriteReportOptions, type WrittenReport } from './write-report.js';
