import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli } from '../../support/cli.ts';
import { requires } from '../../support/requires.ts';
import { workspace } from '../../support/workspace.ts';

/**
 * The shipped report pages, opened in a real browser (Debian's chromium, driven by
 * playwright-core): no console error, no network request, every chart drawn with marks, the
 * page's numbers equal to results.csv and results.md. A full-page screenshot of each is written
 * to test-output/ for people to look at.
 *
 * Without a browser the tests are skipped with a note on how to install one, unless CI is set:
 * then a missing browser fails (test/support/requires.ts).
 */
const CHROMIUM = process.env.MLP_LAB_CHROMIUM ?? '/usr/bin/chromium';
const PAGES = ['results/report', 'results/relu-vs-sigmoid', 'results/wine', 'results/tune-relu-vs-sigmoid'];
const SCREENSHOTS = 'test-output';
const browserAt = requires(
  'a browser',
  existsSync(CHROMIUM) ? null : `no ${CHROMIUM}: install Chromium (Debian/Ubuntu: apt-get install chromium) or point MLP_LAB_CHROMIUM at one`,
);

browserAt.describe('report.html in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(PAGES)('%s/report.html: draws every chart offline, with the numbers of results.csv', async (dir) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route(/^(?!file:|data:)/, async (route) => {
      requests.push(route.request().url());
      await route.abort();
    });
    await page.goto(pathToFileURL(path.resolve(dir, 'report.html')).href);
    // Runs' charts wait in closed <details> until opened: open them all.
    // (In-page code is given as strings: the project's type-check has no DOM library.)
    await page.evaluate(`document.querySelectorAll('details.run').forEach((d) => { d.open = true; })`);
    await page.waitForFunction(
      `(() => {
      const b = document.body.dataset;
      return b.chartsTotal !== undefined && Number(b.chartsRendered) + Number(b.chartsFailed) === Number(b.chartsTotal);
    })()`,
      null,
      { timeout: 100_000 },
    );

    const charts = await page.evaluate<{ name: string; marks: number }[]>(`[...document.querySelectorAll('.chart')].map((c) => ({
      name: c.getAttribute('data-chart'),
      marks: c.querySelectorAll('svg g.role-mark > *').length,
    }))`);
    expect(charts.length).toBeGreaterThan(3);
    expect(charts.filter((c) => c.marks === 0)).toEqual([]);
    const status = await page.evaluate<Record<string, string>>(`({ ...document.body.dataset })`);
    expect(status.chartsFailed).toBe('0');

    const csv = parse(readFileSync(path.join(dir, 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const shown = await page.evaluate<{ id: string; value: string; text: string }[]>(`[...document.querySelectorAll('tr[data-run-id]')].map((tr) => {
      const cell = tr.querySelector('[data-test-accuracy]');
      return { id: tr.getAttribute('data-run-id'), value: cell.getAttribute('data-test-accuracy'), text: cell.textContent };
    })`);
    expect(shown.map((r) => r.id)).toEqual(csv.map((r) => r.run_id));
    shown.forEach((r, i) => {
      expect(Number(Number(r.value).toPrecision(6))).toBe(Number(csv[i]!.test_accuracy));
      expect(r.text).toBe(Number(csv[i]!.test_accuracy).toFixed(2));
    });

    // The configuration table is results.md's first table, cell for cell.
    const markdown = readFileSync(path.join(dir, 'results.md'), 'utf8').split('\n');
    const start = markdown.findIndex((l) => l.startsWith('| ---'));
    const mdRows = markdown
      .slice(start + 1)
      .filter((_l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('|')))
      .map((l) =>
        l
          .slice(2, -2)
          .split(' | ')
          .map((c) => c.replace(/\*\*/g, '')),
      );
    const pageRows = await page.evaluate<string[][]>(`[...document.querySelector('table.results').querySelectorAll('tbody tr')]
      .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))`);
    expect(pageRows).toEqual(mdRows);

    // results.md's Comparisons tables (compare: in the file) are the page's Comparisons section,
    // with a drawn forest plot per comparison; a page without comparisons has no such section.
    const compareAt = markdown.indexOf('## Comparisons');
    const mdComparisonRows =
      compareAt < 0
        ? []
        : markdown
            .slice(compareAt)
            .filter((l) => l.startsWith('|') && !l.startsWith('| ---'))
            .map((l) =>
              l
                .slice(2, -2)
                .split(' | ')
                .map((c) => c.replace(/\*\*/g, '').trim()),
            );
    const pageComparisonRows = await page.evaluate<string[][]>(`[...document.querySelectorAll('section#comparisons table tr')]
      .map((tr) => [...tr.querySelectorAll('th, td')].map((td) => td.textContent.trim()))`);
    expect(pageComparisonRows).toEqual(mdComparisonRows);
    const forest = charts.filter((c) => c.name.startsWith('comparison-'));
    expect(forest.length > 0).toBe(compareAt >= 0);
    const inSection = await page.evaluate<number>(`document.querySelectorAll('section#comparisons .chart[data-chart^="comparison-"] svg g.role-mark').length`);
    expect(inSection > 0).toBe(compareAt >= 0);

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${path.basename(dir)}-report.png`), fullPage: true });
    await page.close();
  });

  it('long labels, integer axes and many series: no label cut, no axis in exponent notation', { timeout: 240_000 }, async () => {
    // A sweep whose configurations differ only after a deep model's layers, against batch sizes.
    const space = workspace('long-labels');
    const file = space.write(
      'long.yaml',
      `name: long
dataset: { source: mnist, train_limit: 200, test_limit: 100 }
defaults: { activation: relu, epochs: 1, optimizer: momentum, learning_rate: 0.05 }
grid:
  layers: [[784, 256, 128, 64, 32, 10], [784, 16, 10]]
  learning_rate: [0.001, 0.0316227766, 0.1]
  batch_size: [16, 32]
  momentum: [0.5, 0.9]
charts: { runs: false }
`,
    );
    const run = cli('run', file, '--out', space.path('out'), '--quiet');
    expect(run.code, run.stderr).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(space.path('out', 'long', 'report.html')).href);
    await page.waitForFunction(
      `(() => {
      const b = document.body.dataset;
      return b.chartsTotal !== undefined && Number(b.chartsRendered) + Number(b.chartsFailed) === Number(b.chartsTotal);
    })()`,
      null,
      { timeout: 100_000 },
    );
    const texts = await page.evaluate<{ chart: string; text: string }[]>(`[...document.querySelectorAll('.chart')].flatMap((c) =>
      [...c.querySelectorAll('svg text')].map((t) => ({ chart: c.getAttribute('data-chart'), text: t.textContent })))`);
    expect(texts.length).toBeGreaterThan(50);
    // Vega ends a label it cuts with an ellipsis.
    expect(texts.filter((t) => t.text.includes('…'))).toEqual([]);
    // No axis title overlaps the labels of its axis (the results chart's y title beside long labels).
    const overlaps = await page.evaluate<string[]>(`[...document.querySelectorAll('.chart')].flatMap((c) =>
      [...c.querySelectorAll('g.role-axis')].flatMap((axis) => {
        const title = axis.querySelector('g.role-axis-title text');
        if (!title) return [];
        const t = title.getBoundingClientRect();
        return [...axis.querySelectorAll('g.role-axis-label text')].filter((label) => {
          const l = label.getBoundingClientRect();
          return l.width > 0 && t.left < l.right && l.left < t.right && t.top < l.bottom && l.top < t.bottom;
        }).map((label) => c.getAttribute('data-chart') + ': ' + title.textContent + ' over ' + label.textContent);
      }))`);
    expect(overlaps).toEqual([]);
    const batchAxis = texts.filter((t) => t.chart === 'sweep-batch_size').map((t) => t.text);
    expect(batchAxis).toEqual(expect.arrayContaining(['16', '32']));
    expect(batchAxis.filter((t) => /e\+/.test(t))).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'long-labels-report.png'), fullPage: true });
    await page.close();
  });
});
