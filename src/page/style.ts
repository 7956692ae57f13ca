/**
 * The page's style sheet: a readable column of system fonts, tables with aligned figures, and the
 * same page in light and dark (the colours are variables switched by `prefers-color-scheme`).
 */
export const PAGE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1d1f23; --muted: #5b6270; --line: #e3e5e9; --panel: #f6f7f9;
  --accent: #2f6fb3; --good: #1d7a3a; --bad: #b3261e;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #17191c; --fg: #e6e8eb; --muted: #9aa1ad; --line: #30343a; --panel: #1f2226; --accent: #7fb2ee; --good: #6fcf8a; --bad: #f28b82; }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body {
  margin: 0 auto; max-width: 1180px; padding: 2.5rem 1.5rem 4rem;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", "Liberation Sans", Roboto, sans-serif;
  font-variant-numeric: tabular-nums;
}
header { border-bottom: 1px solid var(--line); padding-bottom: 1.25rem; margin-bottom: 1.5rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; letter-spacing: -0.01em; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 .75rem; padding-top: .5rem; }
h3 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
p { margin: .5rem 0; max-width: 75ch; }
.description { font-size: 1.1rem; color: var(--fg); }
.meta, .note, figcaption { color: var(--muted); font-size: .9rem; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: .85em ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", monospace; }
nav { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin-top: .75rem; font-size: .95rem; }
.answer { background: var(--panel); border-left: 3px solid var(--accent); padding: .6rem 1rem; border-radius: 4px; max-width: none; }
.table-wrap { overflow-x: auto; margin: .75rem 0 1.25rem; }
table { border-collapse: collapse; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0 .5rem; }
th, td { padding: .3rem .75rem; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; }
tbody tr:hover { background: var(--panel); }
td.files a { margin-right: .5rem; }
.status-diverged, .status-failed { color: var(--bad); }
figure { margin: 1rem 0 2rem; }
.chart { overflow-x: auto; max-width: 100%; padding: .25rem 0; }
.chart .vega-embed { display: block; }
.chart-error { color: var(--bad); }
details.run { border-top: 1px solid var(--line); padding: .5rem 0; }
details.run > summary { cursor: pointer; font-weight: 600; }
details.run > summary .meta { font-weight: normal; margin-left: .5rem; }
footer { margin-top: 3rem; border-top: 1px solid var(--line); padding-top: 1rem; color: var(--muted); font-size: .85rem; }
#vg-tooltip-element { font-family: system-ui, sans-serif; }
`;
