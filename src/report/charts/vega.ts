/**
 * The one place that talks to Vega: compiles a Vega-Lite spec and renders it to an SVG string in
 * Node, with no DOM and no canvas (`renderer: 'none'`, then `toSVG()`).
 */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { textWidth } from './text-width.js';

// vega's typings do not declare these exports; both exist in vega 6 (vega.module.js exports them).
const vegaRuntime = vega as unknown as {
  version: string;
  textMetrics: { width: (item: { fontSize?: number }, text: string) => number };
};

export const VEGA_VERSIONS = { vega: vegaRuntime.version, vegaLite: vegaLite.version };

// Without a canvas, Vega guesses 0.8 em per character for every label, which pads axes and drops
// labels it thinks overlap. The charts use Arial-metric fonts, whose advance widths text-width.ts knows.
vegaRuntime.textMetrics.width = (item, text) => textWidth(String(text), item.fontSize ?? 11);

/** Font stack: Liberation Sans (Debian), Arial and Helvetica share advance widths. */
export const FONT = 'Liberation Sans, Arial, Helvetica, sans-serif';

/** Looks shared by every chart: legible sizes, light grid, no heavy frame. */
export const CHART_CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', titleColor: '#333', labelColor: '#333', gridColor: '#e6e6e6', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', titleColor: '#333', labelColor: '#333', labelLimit: 260 },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', color: '#222', subtitleFontSize: 12, subtitleColor: '#555', offset: 10 },
  header: { labelFontSize: 12, titleFontSize: 13 },
} as const;

/**
 * Renders a Vega-Lite spec to an SVG string for inlining in a page. Element ids (clip paths,
 * gradients) get `id` as a prefix, since every chart numbers its own from 1 and they share one page.
 */
export async function renderSvg(spec: TopLevelSpec, id: string, warnings: string[] = []): Promise<string> {
  const logger = collectingLogger(warnings);
  // Spreading a TopLevelSpec (a union of spec kinds) loses which kind it is; adding config keeps it.
  const compiled = vegaLite.compile({ ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger, logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    return svg
      .replace(/ id="([^"]+)"/g, (_, name: string) => ` id="${id}-${name}"`)
      .replace(/url\(#([^)]+)\)/g, (_, name: string) => `url(#${id}-${name})`)
      .replace(/^<svg /, `<svg id="${id}" `);
  } finally {
    view.finalize();
  }
}

type Logger = NonNullable<NonNullable<Parameters<typeof vegaLite.compile>[1]>['logger']>;

/** A Vega logger that keeps warnings and errors (a chart that logs either has a spec bug; the tests check for none). */
function collectingLogger(warnings: string[]): Logger {
  let level = vega.Warn;
  const logger: Logger = {
    level(next?: number) {
      if (next === undefined) return level;
      level = next;
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}
