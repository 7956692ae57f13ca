/**
 * `npm run bench:charts`: what the charts cost.
 *
 * 1. Weight images: the `image`-mark spec that mlp-lab writes (a PNG data URL per unit) against
 *    the same images as `rect` marks (one per pixel), for the 16 hidden units of the report's
 *    relu model: spec size, SVG size and offline rendering time (median of 3).
 * 2. The charts and page of the committed experiments, written from scratch to a temporary
 *    copy of the store (so the committed results are untouched), as `mlp-lab report` does.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderSvg, svgToPng } from '../src/charts/render.ts';
import { readFirstLayer } from '../src/charts/run-data.ts';
import { formatSpec, withSchema, type VegaLiteSpec } from '../src/charts/spec.ts';
import { weightsChart } from '../src/charts/weights-chart.ts';
import { writeReport } from '../src/publish/write-report.ts';
import { loadAll } from '../src/cli/experiments.ts';
import { reportInput } from '../src/publish/report-input.ts';

const RELU_RUN = 'results/report/runs/f7bbc75dc4e1';
const UNITS = 16;

async function time<T>(f: () => Promise<T> | T, repeats = 3): Promise<{ value: T; ms: number }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    value = await f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { value, ms: times[Math.floor(times.length / 2)]! };
}

function rectSpec(W: Float32Array, nOut: number, max: number): VegaLiteSpec {
  const values: { unit: string; r: number; c: number; w: number }[] = [];
  for (let j = 0; j < UNITS; j++)
    for (let k = 0; k < 784; k++) values.push({ unit: `unit ${j}`, r: Math.floor(k / 28), c: k % 28, w: Number(W[k * nOut + j]!.toPrecision(4)) });
  return withSchema({
    data: { values },
    facet: { field: 'unit', type: 'nominal', title: null, sort: null },
    columns: 8,
    spec: {
      width: 56,
      height: 56,
      mark: { type: 'rect', aria: false },
      encoding: {
        x: { field: 'c', type: 'ordinal', axis: null },
        y: { field: 'r', type: 'ordinal', axis: null },
        color: { field: 'w', type: 'quantitative', scale: { scheme: 'redblue', reverse: true, domain: [-max, max], clamp: true } },
      },
    },
  });
}

const layer = readFirstLayer(RELU_RUN);
if (!layer) throw new Error(`${RELU_RUN}/weights.safetensors is missing`);
const image = weightsChart('relu', layer, { rows: 28, cols: 28 }, UNITS, false);
const max = (image.layer as { encoding: { color?: { scale: { domain: number[] } } } }[])[2]!.encoding.color!.scale.domain[1]!;
const rect = rectSpec(layer.W, layer.nOut, max);
console.log(`Weight images of ${UNITS} units (28×28), ${RELU_RUN}; median of 3`);
console.log('marks        spec KB   SVG KB   compile+SVG ms   PNG ms');
for (const [name, spec] of [
  ['image', image],
  ['rect', rect],
] as const) {
  const svg = await time(() => renderSvg(spec));
  const png = await time(() => svgToPng(svg.value, 1));
  console.log(
    `${name.padEnd(10)} ${(formatSpec(spec).length / 1024).toFixed(0).padStart(8)} ${(svg.value.length / 1024).toFixed(0).padStart(8)} ${svg.ms.toFixed(0).padStart(16)} ${png.ms.toFixed(0).padStart(8)}`,
  );
}

console.log('\nCharts and report.html from scratch (a temporary copy of the store), as `mlp-lab report` writes them');
const out = mkdtempSync(path.join(tmpdir(), 'mlp-lab-bench-charts-'));
try {
  const cases: [string, string[] | null][] = [
    ['experiments/report.yaml', null],
    ['experiments/relu-vs-sigmoid.yaml', null],
    ['experiments/relu-vs-sigmoid.yaml', ['png']],
  ];
  for (const [file, runFormats] of cases) {
    const loaded = reportInput(loadAll([file], { sets: [] }).loaded[0]!);
    // The last case also draws every run's history to PNG (the file keeps them as specs only).
    const experiment = runFormats ? { ...loaded, charts: { ...loaded.charts, runFormats: runFormats as ['png'] } } : loaded;
    cpSync(path.join('results', experiment.name), path.join(out, experiment.name), { recursive: true });
    rmSync(path.join(out, experiment.name, 'charts'), { recursive: true, force: true });
    const cpu = process.cpuUsage();
    const t = performance.now();
    const written = await writeReport(out, experiment, { charts: true });
    const elapsed = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    const c = written.charts!;
    console.log(
      `${experiment.name}${runFormats ? ' (run_formats: [png])' : ''}: ${c.charts} charts (${c.rendered} drawn) and report.html in ${elapsed.toFixed(1)} s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s)`,
    );
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
