/** Small helpers for writing HTML by hand: escaping, tables, the "input missing" note. */

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export interface Column<Row> {
  header: string;
  /** Cell HTML (already escaped). */
  cell: (row: Row) => string;
  numeric?: boolean;
  /** Tooltip of the header. */
  title?: string;
}

export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[], className = '', footer: readonly string[] | null = null): string {
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}${c.title ? ` title="${esc(c.title)}"` : ''}>${esc(c.header)}</th>`).join('');
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${c.cell(r)}</td>`).join('')}</tr>`).join('\n');
  const foot = footer === null ? '' : `<tfoot><tr>${footer.map((cell, i) => `<td${columns[i]?.numeric ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr></tfoot>`;
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody>${foot}</table>`;
}

/** What a section says when its input file is absent: which command writes it. */
export function missing(what: string, command: string): string {
  return `<p class="missing">${what} <span>Written by <code>${esc(command)}</code>.</span></p>`;
}

/** A chart: the SVG from Vega inside a figure, with a caption. */
export function figure(svg: string, caption: string, attributes = ''): string {
  return `<figure class="chart"${attributes ? ' ' + attributes : ''}>${svg}<figcaption>${caption}</figcaption></figure>`;
}
