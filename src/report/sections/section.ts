/** What every section renderer gets and gives back. */
import type { ReportData } from '../report-data.js';

export interface SectionContext {
  data: ReportData;
  /** The results dir as a link from the page's folder ("" when they are the same), ending in "/". */
  resultsHref: string;
  /** The results dir as the reader typed it, for commands. */
  dir: string;
}

export interface Section {
  id: string;
  title: string;
  html: string;
}
