/**
 * report.html of an experiment with `compare:`: a "Comparisons" section with results.md's numbers
 * and the forest plot, written as a chart of the experiment (charts/comparison-<by>.*), built from
 * a copy of the committed relu-vs-sigmoid store the way `mlp-lab report` builds it.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartSettings } from '../../../src/charts/settings.ts';
import { writeReport, type ReportInput } from '../../../src/publish/write-report.ts';
import { reportInput } from '../../../src/publish/report-input.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';

const NAME = 'relu-vs-sigmoid';

/** The text of report.html's section `id`, tags stripped, one line per table row. */
function sectionText(html: string, id: string): string | null {
  const match = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html);
  return match
    ? match[1]!
        .replace(/<\/tr>/g, '\n')
        .replace(/<\/t[dh]>/g, ' | ')
        .replace(/<[^>]+>/g, '')
    : null;
}

describe('report.html with compare:', () => {
  let out = '';
  let experiment: ReportInput;
  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), 'mlp-lab-compare-report-'));
    cpSync(path.join('results', NAME, 'runs'), path.join(out, NAME, 'runs'), { recursive: true });
    // Only the results chart beside the forest plot: the section does not depend on the others.
    experiment = { ...reportInput(loadExperiment(`experiments/${NAME}.yaml`)), charts: chartSettings({ runs: false, sweeps: false, histories: false }) };
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('has a Comparisons section with the table of results.md and the forest plot, drawn to charts/', async () => {
    const written = await writeReport(out, experiment, { charts: true });
    const dir = path.join(out, NAME);
    expect(written.charts!.files).toEqual(
      expect.arrayContaining(['charts/comparison-activation.vl.json', 'charts/comparison-activation.svg', 'charts/comparison-activation.png']),
    );

    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<a href="#comparisons">Comparisons</a>');
    const text = sectionText(html, 'comparisons')!;
    // results.md's Comparisons table, row by row: the same cells in the page's table.
    const markdown = readFileSync(path.join(dir, 'results.md'), 'utf8');
    const mdRows = markdown
      .slice(markdown.indexOf('## Comparisons'))
      .split('\n')
      .filter((l) => l.startsWith('|') && !l.startsWith('| ---'))
      .map((l) =>
        l
          .slice(2, -2)
          .split(' | ')
          .map((c) => c.replace(/\*\*/g, '').trim()),
      );
    expect(mdRows.length).toBe(11); // header, 9 slices, all
    const pageRows = text
      .split('\n')
      .map((l) =>
        l
          .split(' | ')
          .map((c) => c.trim())
          .filter((c, i, all) => i < all.length - 1 || c !== ''),
      )
      .filter((r) => r.length > 1);
    expect(pageRows).toEqual(mdRows);
    expect(text).toContain('+24.12');
    expect(text).toContain('+15.54 to +32.70');
    expect(text).toContain('6 of 9 stay below 0.05');

    // The forest plot: a chart block of the section, its spec in the page, its drawing on disk.
    const section = /<section id="comparisons">[\s\S]*?<\/section>/.exec(html)![0];
    expect(section).toMatch(/<div class="chart" id="chart-\d+" data-chart="comparison-activation" role="img" aria-label="relu − sigmoid \(activation\)">/);
    const spec = JSON.parse(readFileSync(path.join(dir, 'charts', 'comparison-activation.vl.json'), 'utf8')) as {
      data: { values: { slice: string; mean_diff: number; ci_low: number }[] };
    };
    const all = spec.data.values.find((v) => v.slice === 'all')!;
    expect(all.mean_diff.toFixed(2)).toBe('24.12');
    expect(all.ci_low.toFixed(2)).toBe('15.54');
    expect(spec.data.values).toHaveLength(10);
    const svg = readFileSync(path.join(dir, 'charts', 'comparison-activation.svg'), 'utf8');
    expect(svg.match(/aria-roledescription="point"/g)?.length).toBe(10);
    expect(svg).toContain('learning_rate=0.05 init=xavier');
  });

  it('has no Comparisons section or forest plot without compare:', async () => {
    const none = { ...experiment, comparisons: [] };
    const written = await writeReport(out, none, { charts: true });
    expect(written.charts!.files.filter((f) => f.includes('comparison'))).toEqual([]);
    expect(existsSync(path.join(out, NAME, 'charts', 'comparison-activation.vl.json'))).toBe(false);
    const html = readFileSync(path.join(out, NAME, 'report.html'), 'utf8');
    expect(html).not.toContain('id="comparisons"');
  });
});
