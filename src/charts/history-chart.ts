import { epochAxisLayer, iterationScale } from './epoch-axis.ts';
import type { HistoryPoint } from './run-data.ts';
import { round, withSchema, type VegaLiteSpec } from './spec.ts';

/** The sets a history measures, in legend order, with fixed colours so every run's chart reads alike. */
const SETS = ['train', 'test', 'validation'] as const;
const SET_COLOURS = ['#4c78a8', '#f58518', '#54a24b'];

/**
 * A run's training history, as the report drew it: cost (left) and accuracy (right) against
 * iterations, train and test (and validation, when the run has one) as coloured lines, epochs on
 * the top axis; a run with a learning-rate schedule also has its rate (a third panel). Long-form
 * rows: iteration, epoch, set, metric, value.
 */
export function historyChart(
  title: string,
  history: readonly HistoryPoint[],
  iterationsPerEpoch: number | null,
  bestIteration: number | null = null,
): VegaLiteSpec {
  const rows: Record<string, string | number>[] = [];
  const hasValidation = history.some((h) => h.validationCost !== null);
  for (const h of history) {
    const values: Record<(typeof SETS)[number], [number | null, number | null]> = {
      train: [h.trainCost, h.trainAccuracy],
      test: [h.testCost, h.testAccuracy],
      validation: [h.validationCost, h.validationAccuracy],
    };
    for (const set of SETS) {
      const [cost, accuracy] = values[set];
      if (cost !== null && Number.isFinite(cost)) rows.push({ iteration: h.iteration, epoch: h.epoch, set, metric: 'cost', value: round(cost, 5) });
      if (accuracy !== null && Number.isFinite(accuracy))
        rows.push({ iteration: h.iteration, epoch: h.epoch, set, metric: 'accuracy', value: round(accuracy, 5) });
    }
    if (h.learningRate !== null) rows.push({ iteration: h.iteration, epoch: h.epoch, set: 'train', metric: 'learning_rate', value: h.learningRate });
  }
  const scheduled = history.some((h) => h.learningRate !== null);
  const last = Math.max(0, ...history.map((h) => h.iteration));
  const sets = hasValidation ? [...SETS] : SETS.slice(0, 2);
  const panel = (metric: 'cost' | 'accuracy', yTitle: string): VegaLiteSpec => {
    const line: VegaLiteSpec = {
      transform: [{ filter: { field: 'metric', equal: metric } }],
      // Long histories get no dots (they would hide the curves); Vega's line picking still gives
      // each point's tooltip.
      mark: { type: 'line', point: history.length > 60 ? false : { filled: true, size: 24 }, strokeWidth: 1.8, tooltip: true },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', title: 'iteration', scale: iterationScale(last), axis: { format: ',d' } },
        y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: metric === 'cost' } },
        color: { field: 'set', type: 'nominal', title: null, scale: { domain: sets, range: SET_COLOURS.slice(0, sets.length) }, legend: { orient: 'bottom' } },
        tooltip: [
          { field: 'set', title: 'set' },
          { field: 'iteration', title: 'iteration', format: ',' },
          { field: 'epoch', title: 'epoch' },
          { field: 'value', title: yTitle, format: metric === 'cost' ? '.4f' : '.2f' },
        ],
      },
    };
    // An early-stopped run keeps the weights of its best record: a dashed rule marks it.
    const best: VegaLiteSpec | null =
      bestIteration === null
        ? null
        : {
            data: { values: [{ iteration: bestIteration, label: 'best (weights kept)' }] },
            layer: [
              {
                mark: { type: 'rule', strokeDash: [4, 3], color: '#444' },
                encoding: { x: { field: 'iteration', type: 'quantitative', scale: iterationScale(last) } },
              },
              {
                mark: { type: 'text', align: 'left', dx: 3, dy: -4, baseline: 'bottom', fontSize: 10, color: '#444' },
                encoding: { x: { field: 'iteration', type: 'quantitative', scale: iterationScale(last) }, y: { value: 0 }, text: { field: 'label' } },
              },
            ],
          };
    const curves: VegaLiteSpec = best ? { layer: [line, best] } : line;
    const epochs = epochAxisLayer(last, iterationsPerEpoch);
    return {
      title: { text: metric === 'cost' ? 'Cost' : 'Accuracy', fontSize: 13 },
      width: 340,
      height: 220,
      ...(epochs ? { layer: [curves, epochs], resolve: { scale: { x: 'independent' } } } : curves),
    };
  };
  // A run with a learning-rate schedule gets a third panel: the rate its history recorded.
  const rate = (): VegaLiteSpec => {
    const line: VegaLiteSpec = {
      transform: [{ filter: { field: 'metric', equal: 'learning_rate' } }],
      mark: { type: 'line', point: history.length > 60 ? false : { filled: true, size: 24 }, strokeWidth: 1.8, color: '#79706e', tooltip: true },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', title: 'iteration', scale: iterationScale(last), axis: { format: ',d' } },
        y: { field: 'value', type: 'quantitative', title: 'learning rate', scale: { zero: true } },
        tooltip: [
          { field: 'iteration', title: 'iteration', format: ',' },
          { field: 'epoch', title: 'epoch' },
          { field: 'value', title: 'learning rate', format: '.3~g' },
        ],
      },
    };
    const epochs = epochAxisLayer(last, iterationsPerEpoch);
    return {
      title: { text: 'Learning rate', fontSize: 13 },
      width: 240,
      height: 220,
      ...(epochs ? { layer: [line, epochs], resolve: { scale: { x: 'independent' } } } : line),
    };
  };
  return withSchema({
    title: { text: title, subtitle: `Training history: cost and accuracy on each set${scheduled ? ', and the learning rate' : ''}` },
    data: { values: rows },
    hconcat: [panel('cost', 'cross-entropy cost'), panel('accuracy', 'accuracy (%)'), ...(scheduled ? [rate()] : [])],
    spacing: 32,
  });
}
