import type { SearchPlan } from '../run/search-plan.ts';
import { expectedBest, parameterImportance } from '../search/analysis.ts';
import { readRunState } from '../store/run-record.ts';
import { readRungs, rungFile } from '../store/rung-record.ts';
import { runDir } from '../store/layout.ts';
import { configurationKey, type Dimension } from '../search/space.ts';
import { withSchema, type Chart, type VegaLiteSpec } from './spec.ts';

/** Where a search's records are: the results store and the experiment's name. */
export interface SearchStore {
  out: string;
  experiment: string;
}

/**
 * The charts that read a search (results.md's Search section has the numbers): the best so far
 * against trials and against epochs spent, every trial across the parameters (parallel
 * coordinates), each parameter's share of the metric's variance against chance, the expected
 * best against the number of trials, and with a pruner every trial's metric at each rung it
 * reached. One colour per grid cell; none for a grid.
 */
export function searchCharts(plan: SearchPlan | null | undefined, store: SearchStore): Chart[] {
  if (!plan) return [];
  const trials = scoredTrials(plan, store);
  if (trials.length === 0) return [];
  const metric = plan.search.metric;
  const cells = plan.cells;
  return [
    { name: 'search-history', title: `Best ${metric} so far`, spec: withSchema(historySpec(trials, metric, cells)) },
    {
      name: 'search-parameters',
      title: 'Every trial across the searched parameters',
      spec: withSchema(parallelSpec(trials, plan.search.space.dimensions, metric, cells)),
    },
    { name: 'search-importance', title: 'Which parameters matter', spec: withSchema(importanceSpec(plan, trials, metric)) },
    { name: 'search-expected-best', title: `Expected best ${metric} against the number of trials`, spec: withSchema(expectedSpec(plan, trials, metric)) },
    ...(plan.search.pruner ? [{ name: 'search-rungs', title: `${metric} at each rung`, spec: withSchema(rungSpec(plan, store)) }] : []),
  ];
}

/**
 * Successive halving as it ran: each run's metric at every rung it reached (rungs/<id>.json) and at
 * the end (metrics.json), one line per run; a pruned run's line ends at its last rung.
 */
function rungSpec(plan: SearchPlan, store: SearchStore): VegaLiteSpec {
  const metric = plan.search.metric;
  const values = plan.runs.flatMap((run) => {
    const points: { epoch: number; value: number }[] = [];
    for (const rung of readRungs(rungFile(store.out, store.experiment, run.id)).values()) {
      const value = (rung as unknown as Record<string, number | null>)[metric];
      if (typeof value === 'number') points.push({ epoch: rung.epoch, value });
    }
    const state = readRunState(runDir(store.out, store.experiment, run.id));
    const final = state && 'metrics' in state ? (state.metrics as unknown as Record<string, number | null>)[metric] : null;
    if (typeof final === 'number') points.push({ epoch: run.config.epochs, value: final });
    const status = run.pruned ? 'pruned' : typeof final === 'number' ? 'trained to the end' : 'in progress';
    return points.map((p) => ({ cell: plan.cells[run.cell]!, trial: run.trial, seed: run.config.seed, run: run.id, status, ...p }));
  });
  return {
    data: { values },
    width: 420,
    height: 260,
    title: { text: `${metric} at each rung`, subtitle: 'one line per run; a pruned run stops at its last rung, a promoted one goes on from its checkpoint' },
    layer: [
      {
        mark: { type: 'line', strokeWidth: 1.2, opacity: 0.6 },
        encoding: {
          x: {
            field: 'epoch',
            type: 'quantitative',
            title: 'epoch',
            scale: { type: 'log', base: plan.search.pruner!.eta, domain: [plan.search.pruner!.minEpochs, plan.search.pruner!.maxEpochs] },
            axis: { format: 'd' },
          },
          y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
          detail: { field: 'run', type: 'nominal' },
          color: cellColor(plan.cells),
        },
      },
      {
        mark: { type: 'point', filled: true, size: 36, tooltip: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative' },
          color: cellColor(plan.cells),
          shape: { field: 'status', type: 'nominal', title: null, legend: { labelLimit: 300 } },
          tooltip: [
            { field: 'cell' },
            { field: 'trial' },
            { field: 'seed' },
            { field: 'epoch' },
            { field: 'value', title: metric, format: '.4~g' },
            { field: 'status' },
          ],
        },
      },
    ],
  };
}

interface Scored {
  cell: string;
  trial: number;
  value: number;
  configuration: Record<string, unknown>;
  /** Epochs its runs trained (all seeds; with a pruner, to its last rung). */
  epochs: number;
  /** The metric of each of its runs (one per seed) that gave one, at the point the trial was judged. */
  seeds: number[];
}

function scoredTrials(plan: SearchPlan, store: SearchStore): Scored[] {
  const epochs = new Map<string, number>();
  const seeds = seedValues(plan, store);
  for (const run of plan.runs) {
    const key = `${run.cell}:${run.trial}`;
    epochs.set(key, (epochs.get(key) ?? 0) + (run.pruned?.epoch ?? run.config.epochs));
  }
  return plan.results.flatMap((results, cell) =>
    results
      .filter((r): r is typeof r & { value: number } => r.value !== null)
      .map((r) => ({
        cell: plan.cells[cell]!,
        trial: r.trial,
        value: r.value,
        configuration: r.configuration,
        epochs: epochs.get(`${cell}:${r.trial}`) ?? 0,
        seeds: seeds.get(`${cell}:${configurationKey(r.configuration)}`) ?? [],
      })),
  );
}

/**
 * Each trial's metric per seed, by cell and configuration (two proposals of one configuration
 * share its runs, listed under the first): a pruned run's at the rung it stopped at, as the trial
 * was judged, any other's from its final record.
 */
function seedValues(plan: SearchPlan, store: SearchStore): Map<string, number[]> {
  const metric = plan.search.metric;
  const configurations = new Map(plan.results.flatMap((results, cell) => results.map((r) => [`${cell}:${r.trial}`, configurationKey(r.configuration)])));
  const values = new Map<string, number[]>();
  for (const run of plan.runs) {
    const configuration = configurations.get(`${run.cell}:${run.trial}`);
    if (configuration === undefined) continue;
    const record = run.pruned
      ? readRungs(run.pruned.file).get(run.pruned.epoch)
      : (() => {
          const state = readRunState(runDir(store.out, store.experiment, run.id));
          return state && 'metrics' in state ? state.metrics : undefined;
        })();
    const value = (record as unknown as Record<string, unknown> | undefined)?.[metric];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const key = `${run.cell}:${configuration}`;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}

const cellColor = (cells: readonly string[]) => ({
  field: 'cell',
  type: 'nominal',
  title: 'cell',
  sort: [...cells],
  legend: cells.length > 1 ? { orient: 'bottom', labelLimit: 400 } : null,
});

function historySpec(trials: readonly Scored[], metric: string, cells: readonly string[]): VegaLiteSpec {
  const maximise = !metric.endsWith('cost');
  const values = cells.flatMap((cell) => {
    let best: number | null = null;
    let spent = 0;
    return trials
      .filter((t) => t.cell === cell)
      .sort((a, b) => a.trial - b.trial)
      .map((t) => {
        best = best === null ? t.value : maximise ? Math.max(best, t.value) : Math.min(best, t.value);
        spent += t.epochs;
        return { cell, trial: t.trial, value: t.value, best, epochs: spent };
      });
  });
  const view = (x: string, title: string) => ({
    width: 320,
    height: 220,
    layer: [
      {
        mark: { type: 'point', filled: true, opacity: 0.35, size: 30 },
        encoding: {
          x: { field: x, type: 'quantitative', title },
          y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
          color: cellColor(cells),
        },
      },
      {
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, tooltip: true },
        encoding: {
          x: { field: x, type: 'quantitative' },
          y: { field: 'best', type: 'quantitative' },
          color: cellColor(cells),
          tooltip: [
            { field: 'cell' },
            { field: 'trial' },
            { field: 'best', title: `best ${metric}`, format: '.4~g' },
            { field: 'epochs', title: 'epochs spent' },
          ],
        },
      },
    ],
  });
  return {
    data: { values },
    hconcat: [view('trial', 'trial'), view('epochs', 'epochs spent')],
    resolve: { scale: { color: 'shared' } },
  };
}

/** A dimension's value on its axis, 0 to 1: log for log_uniform, a choice by its index. */
function position(d: Dimension, v: unknown): number {
  if (d.kind === 'choice') return d.values.length > 1 ? d.values.findIndex((c) => JSON.stringify(c) === JSON.stringify(v)) / (d.values.length - 1) : 0.5;
  const x = v as number;
  if (d.kind === 'log_uniform') return (Math.log(x) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low));
  return d.high > d.low ? (x - d.low) / (d.high - d.low) : 0.5;
}

function parallelSpec(trials: readonly Scored[], dimensions: readonly Dimension[], metric: string, cells: readonly string[]): VegaLiteSpec {
  const names = dimensions.map((d) => d.name);
  const lines = trials.flatMap((t) =>
    dimensions.map((d) => ({
      cell: t.cell,
      trial: t.trial,
      parameter: d.name,
      position: position(d, t.configuration[d.name]),
      shown: JSON.stringify(t.configuration[d.name]),
      value: t.value,
    })),
  );
  // The ends of each axis, as written in the file (`log` marks a log axis).
  const ends = dimensions.flatMap((d) => {
    const [low, high] = d.kind === 'choice' ? [d.values[0], d.values.at(-1)] : [d.low, d.high];
    const log = d.kind === 'log_uniform' ? ' (log)' : '';
    return [
      { parameter: d.name, position: 0, text: `${JSON.stringify(low)}` },
      { parameter: d.name, position: 1, text: `${JSON.stringify(high)}${log}` },
    ];
  });
  const x = {
    field: 'parameter',
    type: 'nominal',
    sort: names,
    title: null,
    axis: { labelAngle: 0, orient: 'bottom', domain: false, ticks: false, labelPadding: 10, labelFontWeight: 'bold' },
  };
  const y = { field: 'position', type: 'quantitative', axis: null, scale: { domain: [0, 1] } };
  const cell = (name: string): VegaLiteSpec => ({
    width: Math.max(240, 140 * names.length),
    height: 220,
    ...(cells.length > 1 ? { title: { text: name, fontSize: 13 } } : {}),
    layer: [
      { data: { values: names.map((parameter) => ({ parameter })) }, mark: { type: 'rule', color: '#999' }, encoding: { x } },
      {
        data: { values: lines.filter((l) => l.cell === name) },
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.75, tooltip: true },
        encoding: {
          x,
          y,
          detail: { field: 'trial', type: 'nominal' },
          color: {
            field: 'value',
            type: 'quantitative',
            title: metric,
            scale: { scheme: 'viridis', reverse: metric.endsWith('cost') },
            legend: { titleLimit: 400 },
          },
          tooltip: [{ field: 'trial' }, { field: 'parameter' }, { field: 'shown', title: 'value' }, { field: 'value', title: metric, format: '.4~g' }],
        },
      },
      {
        data: { values: ends },
        mark: { type: 'text', dx: 4, align: 'left', baseline: 'middle', fontSize: 11, color: '#555' },
        encoding: { x, y, text: { field: 'text' } },
      },
    ],
  });
  return { vconcat: cells.filter((c) => trials.some((t) => t.cell === c)).map(cell), resolve: { scale: { color: 'shared' } } };
}

/** The two reference levels a share is read against, as the legend names them. */
const CHANCE = 'chance level';
const NOISE_FLOOR = 'seed-noise floor';

function importanceSpec(plan: SearchPlan, trials: readonly Scored[], metric: string): VegaLiteSpec {
  const values = plan.cells.flatMap((cell) => {
    const own = trials.filter((t) => t.cell === cell);
    if (own.length < 3) return [];
    return parameterImportance(plan.search.space.dimensions, own).map((i) => ({
      cell,
      parameter: i.name,
      share: 100 * i.share,
      chance: 100 * i.chance,
      noise: i.noise === null ? null : 100 * i.noise,
      groups: i.groups,
      trials: own.length,
    }));
  });
  const noise = values.some((v) => v.noise !== null);
  const levels = values.flatMap((v) => [
    { cell: v.cell, parameter: v.parameter, level: CHANCE, at: v.chance },
    ...(v.noise === null ? [] : [{ cell: v.cell, parameter: v.parameter, level: NOISE_FLOOR, at: v.noise }]),
  ]);
  const y = { field: 'parameter', type: 'nominal', title: null, sort: plan.search.space.dimensions.map((d) => d.name) };
  const offset = plan.cells.length > 1 ? { yOffset: { field: 'cell', type: 'nominal', sort: [...plan.cells] } } : {};
  return {
    data: { values },
    width: 360,
    height: { step: 22 * Math.max(1, plan.cells.length) },
    title: {
      text: `Share of the variance of ${metric} explained by each parameter alone`,
      subtitle: noise
        ? [
            "η² of the trials' means grouped by the parameter; a bar near a tick says nothing:",
            "black, chance (a parameter that does not matter); white, seed noise alone (from each trial's seeds)",
          ]
        : 'η² of the trials grouped by the parameter; the tick is what a parameter that does not matter would get by chance',
    },
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'share', type: 'quantitative', title: 'share of variance (%)', scale: { domain: [0, 100] } },
          y,
          ...offset,
          color: cellColor(plan.cells),
          tooltip: [
            { field: 'cell' },
            { field: 'parameter' },
            { field: 'share', title: 'share (%)', format: '.1f' },
            { field: 'chance', title: 'chance (%)', format: '.1f' },
            ...(noise ? [{ field: 'noise', title: 'seed-noise floor (%)', format: '.1f' }] : []),
            { field: 'groups' },
            { field: 'trials' },
          ],
        },
      },
      {
        data: { values: levels },
        // Outlined, so that a white floor shows on any cell's colour and apart from the black chance tick.
        mark: { type: 'tick', thickness: 3, opacity: 1, stroke: 'black', strokeWidth: 1 },
        encoding: {
          x: { field: 'at', type: 'quantitative' },
          y,
          ...offset,
          color: {
            field: 'level',
            type: 'nominal',
            title: null,
            scale: { domain: noise ? [CHANCE, NOISE_FLOOR] : [CHANCE], range: noise ? ['black', 'white'] : ['black'] },
            legend: { orient: 'bottom', symbolType: 'square', symbolStrokeColor: 'black', symbolStrokeWidth: 1 },
          },
          tooltip: [{ field: 'cell' }, { field: 'parameter' }, { field: 'level', title: 'tick' }, { field: 'at', title: '%', format: '.1f' }],
        },
      },
    ],
    // The cells' colours and the two levels' are separate legends.
    resolve: { scale: { color: 'independent' } },
  };
}

function expectedSpec(plan: SearchPlan, trials: readonly Scored[], metric: string): VegaLiteSpec {
  const values = plan.cells.flatMap((cell) =>
    expectedBest(
      trials.filter((t) => t.cell === cell).map((t) => t.value),
      plan.search.options.direction,
    ).map((expected, i) => ({ cell, trials: i + 1, expected })),
  );
  return {
    data: { values },
    width: 360,
    height: 220,
    title: {
      text: `Expected best ${metric} with n trials`,
      subtitle: 'from the trials run (Dodge et al. 2019): a curve still rising at the end wants more trials',
    },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'trials', type: 'quantitative', title: 'trials', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'expected', type: 'quantitative', title: `expected best ${metric}`, scale: { zero: false } },
      color: cellColor(plan.cells),
      tooltip: [{ field: 'cell' }, { field: 'trials' }, { field: 'expected', format: '.4~g' }],
    },
  };
}
