import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Chart } from '../charts/spec.ts';
import { PAGE_SCRIPT } from './client.ts';
import { escapeHtml, jsonForScript, scriptSource } from './html.ts';
import { PAGE_CSS } from './style.ts';

/**
 * report.html: one self-contained page (styles, data, vega, vega-lite and vega-embed inlined),
 * which opens from disk with no network. The page is a header and a list of sections; each
 * section is a list of blocks, HTML or charts. Other modules add a section by passing it in the
 * list (the statistics of `mlp-lab compare`, for one): nothing here knows what a section holds.
 */

/** One part of a section: HTML (trusted, already escaped) or a chart drawn from its spec. */
export type PageBlock = { html: string } | { chart: Chart; caption?: string };

/** A section of the page, with its own heading and an entry in the page's navigation. */
export interface ReportSection {
  /** The anchor: letters, digits and `-`. */
  id: string;
  title: string;
  blocks: PageBlock[];
  /** Blocks wrapped in a `<details>` (closed unless `open`), for long lists such as every run. */
  details?: { summary: string; open: boolean; blocks: PageBlock[] }[];
}

export interface PageHeader {
  name: string;
  description: string;
  /** Lines under the description: counts, provenance. HTML. */
  meta: string[];
  /** Links to files beside the page: label → relative URL. */
  links: [string, string][];
}

/** The whole page as one HTML document. */
export function reportPage(header: PageHeader, sections: readonly ReportSection[]): string {
  const specs: string[] = [];
  let counter = 0;
  const block = (b: PageBlock): string => {
    if ('html' in b) return b.html;
    const id = `chart-${++counter}`;
    specs.push(`<script type="application/json" class="chart-spec" data-target="${id}">${jsonForScript(b.chart.spec)}</script>`);
    const caption = b.caption ? `<figcaption>${b.caption}</figcaption>` : '';
    return `<figure><div class="chart" id="${id}" data-chart="${escapeHtml(b.chart.name)}" role="img" aria-label="${escapeHtml(b.chart.title)}"></div>${caption}</figure>`;
  };
  const body = sections.map((s) =>
    [
      `<section id="${s.id}">`,
      `<h2>${escapeHtml(s.title)}</h2>`,
      ...s.blocks.map(block),
      ...(s.details ?? []).map(
        (d) => `<details class="run"${d.open ? ' open' : ''}><summary>${d.summary}</summary>\n${d.blocks.map(block).join('\n')}\n</details>`,
      ),
      '</section>',
    ].join('\n'),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mlp-lab">
<title>${escapeHtml(header.name)} · mlp-lab report</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(header.name)}</h1>
${header.description ? `<p class="description">${escapeHtml(header.description)}</p>` : ''}
${header.meta.map((m) => `<p class="meta">${m}</p>`).join('\n')}
<nav>${sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('')}${header.links.map(([label, href]) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`).join('')}</nav>
</header>
<main>
${body.join('\n')}
</main>
<footer>Written by mlp-lab from the results store. Charts: Vega-Lite, drawn by vega-embed bundled into this page (no network needed); each chart's menu exports it as SVG or PNG.</footer>
${specs.join('\n')}
${libraries()
  .map((source) => `<script>${source}</script>`)
  .join('\n')}
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

let bundled: string[] | null = null;

/** The browser builds of vega, vega-lite and vega-embed from node_modules, read once. */
function libraries(): string[] {
  if (!bundled) {
    const require = createRequire(import.meta.url);
    const build = (pkg: string, file: string) => path.join(path.dirname(require.resolve(pkg)), file);
    bundled = [build('vega', 'vega.min.js'), build('vega-lite', 'vega-lite.min.js'), build('vega-embed', 'vega-embed.min.js')].map((file) =>
      scriptSource(readFileSync(file, 'utf8')),
    );
  }
  return bundled;
}
