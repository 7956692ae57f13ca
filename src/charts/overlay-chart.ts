import type { ResultRow } from '../tables/result-row.ts';
import { epochAxisLayer, iterationScale } from './epoch-axis.ts';
import { configurationLabel, fieldName, parameterValue, type ChartRoles } from './parameters.ts';
import type { HistoryPoint } from './run-data.ts';
import { round, withSchema, type VegaLiteSpec } from './spec.ts';

/** A run's history with what the overlay needs to place it. */
export interface RunHistory {
  row: ResultRow;
  history: readonly HistoryPoint[];
  iterationsPerEpoch: number | null;
}

/**
 * Every configuration's history in one chart: test accuracy (left) and test cost (right) against
 * iterations, one line per configuration (the mean over its seeds) coloured by the colour
 * parameter, with a band of ± one standard deviation over seeds. When configurations differ in
 * iterations per epoch (batch size, training images), the x axis is the epoch instead, so that
 * the curves line up. Long-form rows: configuration, seed, iteration, epoch, metric, value.
 */
export function overlayChart(runs: readonly RunHistory[], roles: ChartRoles): VegaLiteSpec {
  const color = roles.color;
  const perEpoch = new Set(runs.map((r) => r.iterationsPerEpoch));
  const byIteration = perEpoch.size === 1 && !perEpoch.has(null);
  const values: Record<string, string | number>[] = [];
  for (const { row, history, iterationsPerEpoch } of runs) {
    const configuration = configurationLabel(row, roles.parameters);
    const shared = { configuration, ...(color ? { [fieldName(color)]: String(parameterValue(row, color)) } : {}), seed: row.seed };
    for (const h of history) {
      const epochs = iterationsPerEpoch ? round(h.iteration / iterationsPerEpoch, 5) : h.epoch;
      if (Number.isFinite(h.testAccuracy))
        values.push({ ...shared, iteration: h.iteration, epoch: epochs, metric: 'accuracy', value: round(h.testAccuracy, 5) });
      if (Number.isFinite(h.testCost)) values.push({ ...shared, iteration: h.iteration, epoch: epochs, metric: 'cost', value: round(h.testCost, 5) });
    }
  }
  const last = Math.max(0, ...values.map((v) => v.iteration as number));
  const lastEpoch = Math.max(0, ...values.map((v) => v.epoch as number));
  const x = byIteration
    ? { field: 'iteration', type: 'quantitative', title: 'iteration', scale: iterationScale(last), axis: { format: ',d' } }
    : { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { domain: [0, lastEpoch], nice: false } };
  const colour = color
    ? {
        color: {
          field: fieldName(color),
          type: 'nominal',
          title: color,
          sort: [...new Set(runs.map((r) => String(parameterValue(r.row, color))))],
          legend: { orient: 'bottom', labelLimit: 320, columns: 3 },
        },
      }
    : {};
  const repeats = new Set(runs.map((r) => configurationLabel(r.row, roles.parameters))).size < runs.length;
  const panel = (metric: 'accuracy' | 'cost'): VegaLiteSpec => {
    const yTitle = metric === 'accuracy' ? 'test accuracy (%)' : 'test cost';
    // The lines come first (the legend takes its symbols from the first layer), then the bands.
    const lines: VegaLiteSpec[] = [
      {
        mark: { type: 'line', strokeWidth: 1.6, opacity: 0.9, tooltip: true },
        encoding: {
          x,
          y: { aggregate: 'mean', field: 'value', type: 'quantitative', title: yTitle, scale: { zero: metric === 'cost' } },
          detail: { field: 'configuration' },
          ...colour,
          tooltip: [
            { field: 'configuration' },
            { field: byIteration ? 'iteration' : 'epoch' },
            { aggregate: 'mean', field: 'value', title: `mean ${yTitle}`, format: '.3f' },
          ],
        },
      },
      ...(repeats
        ? [
            {
              mark: { type: 'errorband', extent: 'stdev', opacity: 0.15 },
              encoding: { x, y: { field: 'value', type: 'quantitative', title: yTitle }, detail: { field: 'configuration' }, ...colour },
            },
          ]
        : []),
    ];
    const epochs = byIteration ? epochAxisLayer(last, [...perEpoch][0]!) : null;
    // Lines and bands share one x scale (a nested layer); only the epoch axis is independent of it.
    const layer = epochs ? [{ layer: lines }, epochs] : lines;
    return {
      title: { text: metric === 'accuracy' ? 'Test accuracy' : 'Test cost', fontSize: 13 },
      transform: [{ filter: { field: 'metric', equal: metric } }],
      width: 400,
      height: 260,
      layer,
      ...(epochs ? { resolve: { scale: { x: 'independent' } } } : {}),
    };
  };
  return withSchema({
    title: {
      text: 'Training histories',
      subtitle: `every configuration${color ? `, coloured by ${color}` : ''}${repeats ? '; the mean over seeds with a band of ± one standard deviation' : ''}`,
    },
    data: { values },
    hconcat: [panel('accuracy'), panel('cost')],
    spacing: 32,
  });
}
