import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../store/atomic.ts';
import type { ChartSet } from './build-charts.ts';
import { renderSvg, svgToPng } from './render.ts';
import type { ChartSettings } from './settings.ts';
import { formatSpec, type Chart } from './spec.ts';

/** What writing the charts did, for the command's output and the closing notes. */
export interface ChartsWritten {
  /** Every file of charts/ now, relative to the experiment folder. */
  files: string[];
  charts: number;
  /** Charts drawn again (their spec changed or a rendering was missing). */
  rendered: number;
  /** Charts left as they were (same spec, renderings present). */
  unchanged: number;
  /** Of `rendered`, those drawn while runs were still training (see ChartsWhileTraining). */
  renderedWhileTraining: number;
  seconds: number;
}

const EXTENSIONS = ['.vl.json', '.svg', '.png'];

/**
 * Writes each chart to `<experiment>/charts/<name>.vl.json` and its renderings beside it (the
 * experiment's charts in `formats`, the runs' in `runFormats`). A chart whose .vl.json is unchanged and whose renderings exist is not drawn again,
 * so rebuilding after a run that trained nothing new costs little. Chart files that no chart
 * claims any more (a run left the plan) and temporary files of an interrupted write are removed;
 * nothing else in charts/ is touched.
 */
export async function writeCharts(
  experimentDir: string,
  set: ChartSet,
  settings: Pick<ChartSettings, 'formats' | 'runFormats'>,
  drawnWhileTraining: ReadonlySet<string> = new Set(),
): Promise<ChartsWritten> {
  const started = performance.now();
  const dir = path.join(experimentDir, 'charts');
  const charts: [Chart, ChartSettings['formats']][] = [
    ...set.experiment.map((c) => [c, settings.formats] as [Chart, ChartSettings['formats']]),
    ...[...set.runs.values()].flat().map((c) => [c, settings.runFormats] as [Chart, ChartSettings['formats']]),
  ];
  const written = new Set<string>();
  let rendered = 0;
  let unchanged = 0;
  let renderedWhileTraining = 0;
  for (const [chart, formats] of charts) {
    const result = await drawChart(dir, chart, formats);
    result.files.forEach((f) => written.add(f));
    if (result.drawn === 'unchanged' && drawnWhileTraining.has(chart.name)) {
      rendered++;
      renderedWhileTraining++;
    } else if (result.drawn === 'unchanged') unchanged++;
    else if (result.drawn === 'rendered') rendered++;
  }
  removeStale(dir, written);
  return {
    files: [...written].map((f) => path.relative(experimentDir, f)).sort(),
    charts: charts.length,
    rendered,
    unchanged,
    renderedWhileTraining,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Writes one chart's `<name>.vl.json` under `dir` and draws it in `formats`, unless the same spec
 * and all its renderings are there already. Returns the chart's files and what was done.
 */
export async function drawChart(
  dir: string,
  chart: Chart,
  formats: ChartSettings['formats'],
): Promise<{ files: string[]; drawn: 'rendered' | 'unchanged' | 'spec only' }> {
  const base = path.join(dir, chart.name);
  const text = formatSpec(chart.spec);
  const outputs = formats.map((f) => `${base}.${f}`);
  const files = [`${base}.vl.json`, ...outputs];
  if (existsSync(`${base}.vl.json`) && readFileSync(`${base}.vl.json`, 'utf8') === text && outputs.every((f) => existsSync(f))) {
    return { files, drawn: 'unchanged' };
  }
  writeReplacing(`${base}.vl.json`, text);
  if (formats.length === 0) return { files, drawn: 'spec only' };
  const svg = await renderSvg(chart.spec);
  if (formats.includes('svg')) writeReplacing(`${base}.svg`, svg);
  if (formats.includes('png')) writeReplacing(`${base}.png`, svgToPng(svg, chart.pngScale));
  return { files, drawn: 'rendered' };
}

/** Charts are derived from the store and rebuilt by `mlp-lab report`: atomic, not flushed to disk. */
function writeReplacing(file: string, data: string | Uint8Array): void {
  writeFileAtomic(file, data, { durable: false });
}

function removeStale(dir: string, keep: ReadonlySet<string>): void {
  for (const sub of [dir, path.join(dir, 'runs')]) {
    if (!existsSync(sub)) continue;
    for (const name of readdirSync(sub)) {
      const file = path.join(sub, name);
      // `.tmp`: left by a process killed while writing a chart (see writeFileAtomic).
      if ((EXTENSIONS.some((e) => name.endsWith(e)) && !keep.has(file)) || name.endsWith('.tmp')) rmSync(file);
    }
  }
}
