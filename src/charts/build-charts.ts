import type { PlannedRun } from '../tables/collect.ts';
import type { ResultRow } from '../tables/result-row.ts';
import { readRunState } from '../store/run-record.ts';
import { historyChart } from './history-chart.ts';
import { overlayChart, type RunHistory } from './overlay-chart.ts';
import { chartRoles, fieldName, hasAccuracy } from './parameters.ts';
import { resultsChart } from './results-chart.ts';
import { featureWeightsChart } from './feature-weights-chart.ts';
import { imageShape, inputNames, readFirstLayer, readHistory, trainImages, type HistoryPoint } from './run-data.ts';
import type { ChartSettings } from './settings.ts';
import type { Chart } from './spec.ts';
import { sweepChart } from './sweep-chart.ts';
import { weightsChart } from './weights-chart.ts';

/** An experiment's charts, before they are written: the experiment's own and each run's. */
export interface ChartSet {
  experiment: Chart[];
  /** By run id, in plan order; only finished runs have charts. */
  runs: Map<string, Chart[]>;
  /** Why charts are missing, for the command's output and the page ("weight images: 54 runs have no weights.safetensors"). */
  notes: string[];
}

/**
 * Every chart of an experiment from the results store: per run, its history and first-layer
 * weight images; per experiment, the results chart, a sweep per varying parameter and the overlaid
 * histories, as the settings ask. Missing files (weights not committed, runs not finished) leave
 * their chart out and say so in `notes`; they are not errors.
 */
export function buildCharts(
  rows: readonly ResultRow[],
  runs: readonly PlannedRun[],
  runDir: (run: PlannedRun) => string,
  settings: ChartSettings,
  tableColumns: string | null,
): ChartSet {
  const roles = chartRoles(rows, { color: settings.color, facet: settings.facet, tableColumns });
  const set: ChartSet = { experiment: [], runs: new Map(), notes: [] };
  const histories: RunHistory[] = [];
  const withoutWeights: string[] = [];
  const seen = new Set<string>();
  runs.forEach((run, i) => {
    const row = rows[i]!;
    if (seen.has(run.id) || !row.outcome || row.outcome.status === 'failed') return;
    seen.add(run.id);
    const dir = runDir(run);
    const history = readHistory(dir);
    const images = trainImages(run.config.dataset);
    const perEpoch = images === null ? null : Math.ceil(images / run.config.batch_size);
    if (history && history.length > 0) histories.push({ row, history, iterationsPerEpoch: perEpoch });
    if (!settings.runs) return;
    const { charts, weights } = runCharts(run, dir, settings, history);
    if (!weights) withoutWeights.push(run.id);
    set.runs.set(run.id, charts);
  });
  if (withoutWeights.length) {
    set.notes.push(`weight images skipped for ${withoutWeights.length} of ${set.runs.size} runs without weights.safetensors in the store`);
  }

  const finished = rows.some(hasAccuracy);
  if (settings.results && finished) set.experiment.push({ name: 'results', title: 'Results', spec: resultsChart(rows, roles) });
  if (settings.sweeps && finished) {
    for (const x of roles.parameters.filter((p) => p !== 'variant')) {
      set.experiment.push({ name: `sweep-${fieldName(x)}`, title: `Sweep: ${x}`, spec: sweepChart(rows, roles, x) });
    }
  }
  if (settings.histories && histories.length > 1) set.experiment.push({ name: 'histories', title: 'Training histories', spec: overlayChart(histories, roles) });
  return set;
}

/**
 * One finished run's own charts (its history, its first-layer weight images), which depend on
 * nothing but its folder in the store; `weights` is false when the folder has no weights.
 */
export function runCharts(
  run: PlannedRun,
  dir: string,
  settings: Pick<ChartSettings, 'weightUnits'>,
  history: HistoryPoint[] | null = readHistory(dir),
): { charts: Chart[]; weights: boolean } {
  const images = trainImages(run.config.dataset);
  const perEpoch = images === null ? null : Math.ceil(images / run.config.batch_size);
  const charts: Chart[] = [];
  if (history && history.length > 0) {
    const state = readRunState(dir);
    const best = state && 'metrics' in state ? (state.metrics.best_iteration ?? null) : null;
    charts.push({ name: `runs/${run.id}-history`, title: 'Training history', spec: historyChart(run.label, history, perEpoch, best) });
  }
  const layer = readFirstLayer(dir);
  const shape = imageShape(run.config.dataset);
  const outputLayer = run.config.layers.length === 2;
  if (layer && shape && shape.rows * shape.cols === layer.nIn) {
    charts.push({
      name: `runs/${run.id}-weights`,
      title: 'First-layer weights',
      spec: weightsChart(run.label, layer, shape, settings.weightUnits, outputLayer),
      pngScale: 1,
    });
  }
  const names = inputNames(run.config.dataset);
  if (layer && names && names.length === layer.nIn) {
    const classes = run.config.dataset.source === 'csv' ? run.config.dataset.classes : null;
    charts.push({
      name: `runs/${run.id}-weights`,
      title: 'First-layer weights by input',
      spec: featureWeightsChart(run.label, layer, names, settings.weightUnits, outputLayer, classes),
    });
  }
  return { charts, weights: layer !== null };
}
