import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChartSet } from '../../../src/charts/build-charts.ts';
import { Resvg } from '@resvg/resvg-js';
import { chartFontFiles, renderSvg, svgToPng } from '../../../src/charts/render.ts';
import { withSchema } from '../../../src/charts/spec.ts';
import { writeCharts } from '../../../src/charts/write-charts.ts';
import { requires } from '../../support/requires.ts';

const bars = (n: number) =>
  withSchema({
    data: { values: Array.from({ length: n }, (_, i) => ({ x: `c${i}`, y: i + 1 })) },
    mark: 'bar',
    encoding: { x: { field: 'x', type: 'nominal' }, y: { field: 'y', type: 'quantitative' } },
  });

describe('offline rendering', () => {
  it('draws a spec to SVG with its marks, and the SVG to PNG', async () => {
    const svg = await renderSvg(bars(3));
    expect(svg).toMatch(/^<svg/);
    expect(svg.match(/role-mark/g)?.length).toBeGreaterThan(0);
    expect((svg.match(/aria-roledescription="bar"/g) ?? []).length).toBe(3);
    const png = svgToPng(svg, 1);
    expect(Buffer.from(png.subarray(1, 4)).toString()).toBe('PNG');
  });
});

describe('fonts', () => {
  requires('Liberation Sans', chartFontFiles() ? null : 'its files are not installed (Debian: apt-get install fonts-liberation)').it(
    "draws with Liberation Sans's own files the pixels that loading every system font draws",
    async () => {
      const svg = await renderSvg({ ...bars(4), title: { text: 'Bold title', subtitle: 'subtitle' } } as ReturnType<typeof bars>);
      const options = {
        fitTo: { mode: 'zoom' as const, value: 2 },
        font: { loadSystemFonts: true, defaultFontFamily: 'Liberation Sans', sansSerifFamily: 'Liberation Sans' },
      };
      const system = new Resvg(svg, options).render().asPng();
      expect(Buffer.from(svgToPng(svg)).equals(Buffer.from(system))).toBe(true);
    },
  );
});

describe('writeCharts', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes specs and renderings, draws only what changed, removes charts no longer made and temporary files', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-charts-'));
    const set = (n: number, runs: string[]): ChartSet => ({
      experiment: [{ name: 'results', title: 'Results', spec: bars(n) }],
      runs: new Map(runs.map((id) => [id, [{ name: `runs/${id}-history`, title: 'History', spec: bars(2) }]])),
      notes: [],
    });
    const first = await writeCharts(dir, set(3, ['aaa', 'bbb']), { formats: ['svg', 'png'], runFormats: ['png'] });
    expect(first.files).toEqual([
      'charts/results.png',
      'charts/results.svg',
      'charts/results.vl.json',
      'charts/runs/aaa-history.png',
      'charts/runs/aaa-history.vl.json',
      'charts/runs/bbb-history.png',
      'charts/runs/bbb-history.vl.json',
    ]);
    expect(first.rendered).toBe(3);
    const spec = JSON.parse(readFileSync(path.join(dir, 'charts/results.vl.json'), 'utf8')) as { $schema: string; data: { values: unknown[] } };
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');
    expect(spec.data.values).toHaveLength(3);

    const again = await writeCharts(dir, set(3, ['aaa', 'bbb']), { formats: ['svg', 'png'], runFormats: ['png'] });
    expect(again.rendered).toBe(0);

    writeFileSync(path.join(dir, 'charts/notes.txt'), 'mine');
    writeFileSync(path.join(dir, 'charts/results.png.4242.tmp'), 'left by a killed process');
    const changed = await writeCharts(dir, set(4, ['aaa']), { formats: ['svg', 'png'], runFormats: [] });
    expect(changed.rendered).toBe(1);
    expect(existsSync(path.join(dir, 'charts/runs/bbb-history.vl.json'))).toBe(false);
    expect(existsSync(path.join(dir, 'charts/runs/aaa-history.png'))).toBe(false);
    expect(existsSync(path.join(dir, 'charts/notes.txt'))).toBe(true);
    expect(existsSync(path.join(dir, 'charts/results.png.4242.tmp'))).toBe(false);
  });
});
