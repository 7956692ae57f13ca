import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { COMPARISON_METRICS } from '../experiment/schema.ts';
import type { ResultRow } from '../tables/result-row.ts';

/**
 * The metrics a comparison can be about: the numeric outcome columns of results.csv (final costs
 * and accuracies on the full sets, and the training time), and the best test accuracy that the
 * run's history recorded. `better` decides what counts as a win.
 */
export const METRICS = {
  test_accuracy: { better: 'higher', title: 'test accuracy (%)' },
  train_accuracy: { better: 'higher', title: 'training accuracy (%)' },
  test_cost: { better: 'lower', title: 'test cost' },
  train_cost: { better: 'lower', title: 'training cost' },
  seconds: { better: 'lower', title: 'training time (s)' },
  best_test_accuracy: { better: 'higher', title: 'best test accuracy in the history (%)' },
} as const satisfies Record<(typeof COMPARISON_METRICS)[number], { better: 'higher' | 'lower'; title: string }>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

/**
 * The metric of one run from the results store: its results row, and for `best_test_accuracy`
 * the largest `test_accuracy` of `<runDir>/history.csv` (history records evaluate the first
 * `history.eval_limit` test images). Null when the run did not give the value.
 */
export function metricValue(row: ResultRow, metric: MetricName, runDir: string): number | null {
  const o = row.outcome;
  if (!o || o.status === 'failed') return null;
  switch (metric) {
    case 'test_accuracy':
      return o.testAccuracy;
    case 'train_accuracy':
      return o.trainAccuracy;
    case 'test_cost':
      return o.testCost;
    case 'train_cost':
      return o.trainCost;
    case 'seconds':
      return o.seconds;
    case 'best_test_accuracy':
      return bestTestAccuracy(path.join(runDir, 'history.csv'));
  }
}

/** The largest test accuracy in a history.csv (numbers only, no quoting), or null without one. */
function bestTestAccuracy(file: string): number | null {
  if (!existsSync(file)) return null;
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const column = header?.split(',').indexOf('test_accuracy') ?? -1;
  if (column < 0) return null;
  const values = lines.map((line) => Number(line.split(',')[column])).filter(Number.isFinite);
  return values.length > 0 ? Math.max(...values) : null;
}
