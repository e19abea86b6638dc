/** The page's CSS, inlined: readable type, tables with numbers aligned, charts that scroll when wide. */
export const PAGE_STYLE = `
:root { --ink: #222; --muted: #666; --rule: #ddd; --accent: #c0392b; --bg-soft: #f6f6f4; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: white; font: 15px/1.5 "Liberation Sans", Arial, Helvetica, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; }
header p { margin: 2px 0; color: var(--muted); }
.glance { background: var(--bg-soft); border-left: 4px solid var(--accent); padding: 10px 16px; margin: 16px 0; }
.glance ul { margin: 4px 0; padding-left: 20px; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 12px 0 8px; list-style: none; counter-reset: toc; font-size: 14px; }
nav li { counter-increment: toc; }
nav li::before { content: counter(toc) ". "; color: var(--muted); }
nav a, a { color: #1f5fa8; text-decoration: none; }
a:hover { text-decoration: underline; }
section { border-top: 1px solid var(--rule); margin-top: 28px; padding-top: 8px; counter-increment: section; }
body { counter-reset: section; }
section > h2 { font-size: 20px; margin: 8px 0 8px; }
section > h2::before { content: counter(section) ". "; color: var(--muted); }
h3 { font-size: 16px; margin: 18px 0 6px; }
p { max-width: 880px; }
.note { color: var(--muted); font-size: 13px; }
.missing { background: var(--bg-soft); border: 1px dashed #bbb; padding: 10px 14px; color: #444; }
.missing span { display: block; margin-top: 2px; }
code { font: 13px/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f2f2f0; padding: 0 3px; border-radius: 3px; }
pre.snippet { background: #1e1e1e; color: #eee; padding: 10px 14px; border-radius: 4px; max-width: 880px; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.snippet code { background: none; color: inherit; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 18px; margin: 8px 0 12px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
dl.small { font-size: 13px; }
table { border-collapse: collapse; margin: 10px 0; font-size: 14px; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 10px; text-align: left; vertical-align: top; }
th { font-weight: normal; color: var(--muted); border-bottom: 1px solid #bbb; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
table.agreement { font-size: 13px; }
table.agreement td, table.agreement th { white-space: nowrap; padding: 3px 8px; }
.wide { overflow-x: auto; }
tfoot td { border-top: 1px solid #bbb; border-bottom: none; color: var(--muted); }
tr.truth td { color: var(--muted); background: var(--bg-soft); }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; background: #e8f0e0; color: #355c1d; border: 1px solid #c7dbb6; }
.error { color: var(--accent); font-size: 12px; }
.yes { font-weight: bold; }
table.decision .yes { color: var(--accent); }
details summary { cursor: pointer; color: var(--muted); margin: 6px 0; }
figure.chart { margin: 8px 0 16px; overflow-x: auto; }
figure.chart[hidden] { display: none; }
figure.chart svg { display: block; max-width: none; }
/* Numbers written on heat-map cells must not take the hover from the cell under them. */
figure.chart g.mark-text.role-mark { pointer-events: none; }
figcaption { color: var(--muted); font-size: 13px; }
figcaption:empty { display: none; }
.budget { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; }
.budget dl.plan { flex: 1 1 320px; font-size: 14px; margin-top: 18px; }
.grid { display: flex; flex-wrap: wrap; gap: 8px 28px; }
.switch { margin: 6px 0; font-size: 14px; color: var(--muted); }
.switch label { margin-right: 12px; color: var(--ink); cursor: pointer; }
.tip { position: fixed; z-index: 10; pointer-events: none; max-width: 420px; background: rgba(30, 30, 30, 0.94); color: white; font-size: 13px; line-height: 1.4; padding: 6px 9px; border-radius: 4px; }
.tip div:first-child { font-weight: bold; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@media print { .switch, .tip { display: none; } figure.chart { overflow: visible; } }
`;
