import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCharts, type ChartSet } from '../../../src/charts/build-charts.ts';
import { chartSettings } from '../../../src/charts/settings.ts';
import { comparisonCharts } from '../../../src/charts/comparison-charts.ts';
import { searchCharts } from '../../../src/charts/search-charts.ts';
import { bestTrial, searchPlan } from '../../../src/run/search-plan.ts';
import { namedComparisons } from '../../../src/compare/section.ts';
import type { VegaLiteSpec } from '../../../src/charts/spec.ts';
import { reportInput } from '../../../src/publish/report-input.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { collectResults } from '../../../src/tables/collect.ts';
import { configurationTable } from '../../../src/tables/tables.ts';
import { runDir } from '../../../src/store/layout.ts';

/**
 * The charts of the two committed experiments, built from the committed results store: every
 * spec must be valid Vega-Lite (the JSON schema the vega-lite package ships), and show the
 * numbers of the results tables.
 */
const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8')) as object;

function chartsOf(file: string, overrides: Parameters<typeof chartSettings>[0] = undefined) {
  const experiment = reportInput(loadExperiment(file));
  const dir = (run: { id: string }) => runDir('results', experiment.name, run.id);
  const rows = collectResults(experiment.runs, dir);
  const settings = overrides ? chartSettings(overrides) : experiment.charts;
  return { rows, set: buildCharts(rows, experiment.runs, dir, settings, experiment.table.columns) };
}

/** The forest plots of the experiment's `compare:` section, as `run` and `report` add them to charts/. */
function forestPlotsOf(file: string) {
  const experiment = reportInput(loadExperiment(file));
  const rows = collectResults(experiment.runs, (run) => runDir('results', experiment.name, run.id));
  return comparisonCharts(namedComparisons(rows, experiment.comparisons, (row) => runDir('results', experiment.name, row.runId)));
}

const all = (set: ChartSet) => [...set.experiment, ...[...set.runs.values()].flat()];
const values = (spec: VegaLiteSpec) => (spec.data as { values: Record<string, unknown>[] }).values;

describe('charts of the committed results', () => {
  let validate: ReturnType<Ajv['compile']>;
  beforeAll(() => {
    // The Vega-Lite schema is draft-07 and uses keywords ajv's strict mode does not know.
    const ajv = new Ajv({ strict: false, allErrors: false });
    (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
    validate = ajv.compile(schema);
  });

  it('the validator refuses a spec that is not Vega-Lite', () => {
    expect(validate({ data: { values: [] }, mark: 'bars', encoding: {} })).toBe(false);
  });

  it.each(['experiments/report.yaml', 'experiments/relu-vs-sigmoid.yaml'])('%s: every spec validates against the Vega-Lite schema', (file) => {
    const { set } = chartsOf(file);
    expect(all(set).length).toBeGreaterThan(3);
    const forest = forestPlotsOf(file);
    // relu-vs-sigmoid names one comparison (compare: by activation); report names none.
    expect(forest.map((c) => c.name)).toEqual(file.includes('relu-vs-sigmoid') ? ['comparison-activation'] : []);
    for (const chart of [...all(set), ...forest]) {
      const ok = validate(chart.spec);
      expect(ok ? null : { chart: chart.name, errors: validate.errors?.slice(0, 3) }).toBeNull();
      expect(chart.spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');
    }
  });

  it("the committed search: its four charts validate, the best-so-far line ends at each cell's best trial, and importance is a share", () => {
    const loaded = loadExperiment('experiments/tune-relu-vs-sigmoid.yaml');
    const plan = searchPlan(loaded, 'results', [])!;
    const charts = searchCharts(plan, { out: 'results', experiment: 'tune-relu-vs-sigmoid' });
    expect(charts.map((c) => c.name)).toEqual(['search-history', 'search-parameters', 'search-importance', 'search-expected-best']);
    for (const chart of charts) {
      const ok = validate(chart.spec);
      expect(ok ? null : { chart: chart.name, errors: validate.errors?.slice(0, 3) }).toBeNull();
    }
    const history = values(charts[0]!.spec) as { cell: string; trial: number; best: number }[];
    plan.cells.forEach((cell, i) => {
      const last = history.filter((h) => h.cell === cell).at(-1)!;
      expect(last.best).toBe(bestTrial(plan, i)!.value);
    });
    const importance = values(charts[2]!.spec) as { share: number; chance: number }[];
    expect(importance).toHaveLength(2 * plan.cells.length); // learning_rate and momentum per cell
    for (const i of importance) expect(i.share >= 0 && i.share <= 100 && i.chance > 0).toBe(true);
    // One seed per trial: no seed-noise floor, only the chance ticks (test/e2e/charts/search-importance.test.ts draws one).
    expect(importance.map((i) => (i as { noise?: unknown }).noise)).toEqual(importance.map(() => null));
    const ticks = (charts[2]!.spec.layer as { data?: { values: { level: string }[] } }[])[1]!.data!.values;
    expect(new Set(ticks.map((t) => t.level))).toEqual(new Set(['chance level']));
    // The expected best after all the trials is at most the best found, and after one it is the mean.
    const expected = values(charts[3]!.spec) as { cell: string; trials: number; expected: number }[];
    plan.cells.forEach((cell, i) => {
      const curve = expected.filter((e) => e.cell === cell);
      const scored = plan.results[i]!.filter((r) => r.value !== null).map((r) => r.value!);
      expect(curve[0]!.expected).toBeCloseTo(scored.reduce((a, b) => a + b, 0) / scored.length, 9);
      expect(curve.at(-1)!.expected).toBeLessThanOrEqual(bestTrial(plan, i)!.value! + 1e-9);
    });
    expect(searchCharts(null, { out: 'results', experiment: 'none' })).toEqual([]);
  });

  it('report: a history and weight images per run, all 10 output units for the one-layer model', () => {
    const { set } = chartsOf('experiments/report.yaml');
    expect([...set.runs.values()].map((charts) => charts.map((c) => c.name.replace(/^runs\/\w+-/, '')))).toEqual([
      ['history', 'weights'],
      ['history', 'weights'],
      ['history', 'weights'],
    ]);
    const [softmax, relu] = [...set.runs.values()].map((charts) => values(charts[1]!.spec));
    expect(softmax!.map((v) => v.unit)).toEqual(Array.from({ length: 10 }, (_, j) => `class ${j}`));
    expect(relu!.map((v) => v.unit)).toEqual(Array.from({ length: 16 }, (_, j) => `unit ${j}`));
    expect(set.notes).toEqual([]);
  });

  it('weight images are 28×28 pixels drawn at 2×, as PNG data URLs', () => {
    const { set } = chartsOf('experiments/report.yaml');
    const url = values([...set.runs.values()][0]![1]!.spec)[0]!.url as string;
    const png = Buffer.from(url.replace('data:image/png;base64,', ''), 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([56, 56]);
  });

  it('weight units are settable for hidden layers', () => {
    const { set } = chartsOf('experiments/report.yaml', { weight_units: 4 });
    const counts = [...set.runs.values()].map((charts) => values(charts[1]!.spec).length);
    expect(counts).toEqual([10, 4, 4]);
  });

  it("the results chart shows results.md's numbers", () => {
    const { rows, set } = chartsOf('experiments/relu-vs-sigmoid.yaml');
    const chart = set.experiment.find((c) => c.name === 'results')!;
    const labels = values(chart.spec)
      .filter((v) => v.kind === 'configuration')
      .map((v) => v.label);
    expect(labels).toEqual(configurationTable(rows).rows.map((r) => r.cells.at(-1)));
    expect(values(chart.spec).filter((v) => v.kind === 'run')).toHaveLength(54);
  });

  it('relu-vs-sigmoid: a sweep per grid parameter, lines per activation, panels per init, learning rate on a log axis', () => {
    const { set } = chartsOf('experiments/relu-vs-sigmoid.yaml');
    expect(set.experiment.map((c) => c.name)).toEqual(['results', 'sweep-activation', 'sweep-learning_rate', 'sweep-init', 'histories']);
    const sweep = set.experiment.find((c) => c.name === 'sweep-learning_rate')!.spec;
    expect((sweep.facet as { field: string }).field).toBe('init');
    const line = (sweep.spec as { layer: VegaLiteSpec[] }).layer[1]!;
    const encoding = line.encoding as Record<string, { field?: string; scale?: { type?: string } }>;
    expect(encoding.color!.field).toBe('activation');
    expect(encoding.x!.scale!.type).toBe('log');
  });

  it('runs without weights.safetensors get no weight images, and say so', () => {
    const { set } = chartsOf('experiments/relu-vs-sigmoid.yaml');
    expect(set.runs.size).toBe(54);
    expect([...set.runs.values()].every((charts) => charts.map((c) => c.name.endsWith('-history')).join() === 'true')).toBe(true);
    expect(set.notes).toEqual(['weight images skipped for 54 of 54 runs without weights.safetensors in the store']);
  });

  it('switches off what the charts: section switches off', () => {
    const { set } = chartsOf('experiments/relu-vs-sigmoid.yaml', { runs: false, sweeps: false, histories: false });
    expect(set.experiment.map((c) => c.name)).toEqual(['results']);
    expect(set.runs.size).toBe(0);
  });
});

describe('weight images', () => {
  it('draw the non-finite weights of a diverged run grey, outside the colour scale', async () => {
    const { weightsChart } = await import('../../../src/charts/weights-chart.ts');
    const W = Float32Array.from({ length: 4 * 2 }, (_, i) => (i % 2 === 0 ? i / 10 : NaN));
    W[2] = Infinity;
    const spec = weightsChart('diverged', { nIn: 4, nOut: 2, W }, { rows: 2, cols: 2 }, 16, false);
    const images = values(spec);
    expect(images.map((v) => v.unit)).toEqual(['unit 0', 'unit 1']);
    const png = Buffer.from((images[1]!.url as string).split(',')[1]!, 'base64');
    const idat = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    expect(raw[1]).toBe(128);
  });
});

describe('PNG encoding', () => {
  it('round-trips pixels through zlib', async () => {
    const { encodePng } = await import('../../../src/charts/png.ts');
    const rgb = Uint8Array.from({ length: 3 * 5 * 3 }, (_, i) => (i * 37) % 256);
    const png = Buffer.from(encodePng(5, 3, rgb));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const idat = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    const rows = [0, 1, 2].map((y) => [...raw.subarray(y * 16 + 1, y * 16 + 16)]);
    expect(rows.flat()).toEqual([...rgb]);
    expect(() => encodePng(5, 3, rgb.subarray(1))).toThrow(RangeError);
  });
});
