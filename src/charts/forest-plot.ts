import type { Comparison } from '../compare/compare.ts';
import { differenceName } from '../compare/formatting.ts';
import { METRICS } from '../compare/metrics.ts';

/** One row of the forest plot's data: a slice's mean difference and interval. */
export interface ForestRow {
  difference: string;
  slice: string;
  n: number;
  mean_diff: number;
  ci_low: number | null;
  ci_high: number | null;
  p_t: number | null;
  /** True for the pooled row over all slices (drawn larger). */
  overall: boolean;
}

/**
 * A Vega-Lite spec of a comparison as a forest plot: one line per slice (and one for all slices),
 * a point at the mean difference and a bar across its 95% interval, a dashed line at zero. Rows
 * without pairs are left out of the chart (the table lists them); rows with one pair have a point
 * and no bar. Plain data, rendered by whatever renders the other charts.
 */
export function forestPlotSpec(comparison: Comparison): Record<string, unknown> {
  const values: ForestRow[] = comparison.rows
    .filter((r) => r.mean_diff !== null)
    .map((r) => ({
      difference: differenceName(r),
      slice: r.slice,
      n: r.n,
      mean_diff: r.mean_diff!,
      ci_low: r.ci_low,
      ci_high: r.ci_high,
      p_t: r.p_t,
      overall: r.slice === 'all',
    }));
  const metric = METRICS[comparison.metric].title;
  const differences = [...new Set(values.map((v) => v.difference))];
  const x = { type: 'quantitative', title: `difference in ${metric}` } as const;
  const layers = [
    { mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { x: { datum: 0, ...x } } },
    { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y: Y, x: { field: 'ci_low', ...x }, x2: { field: 'ci_high' } } },
    {
      mark: { type: 'point', filled: true, color: 'black' },
      encoding: {
        y: Y,
        x: { field: 'mean_diff', ...x },
        size: { field: 'overall', type: 'nominal', scale: { domain: [false, true], range: [40, 120] }, legend: null },
        tooltip: [
          { field: 'slice' },
          { field: 'n', title: 'pairs' },
          { field: 'mean_diff', format: '.3f' },
          { field: 'ci_low', format: '.3f' },
          { field: 'ci_high', format: '.3f' },
          { field: 'p_t', format: '.2g', title: 'p (t)' },
        ],
      },
    },
  ];
  const title = {
    text: `${differences.join(', ')} (${comparison.by}): ${metric}`,
    // One pair per slice (a search's best trials on one seed) has a difference and no interval to draw.
    subtitle: values.every((v) => v.ci_low === null)
      ? 'the difference of one pair per slice: no interval; dashed: no difference'
      : 'mean paired difference with its 95% interval; dashed: no difference',
  };
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, data: { values } };
  if (differences.length === 1) return { ...base, width: 420, height: { step: 22 }, layer: layers };
  // Several values against one baseline: one panel per value, stacked.
  return {
    ...base,
    facet: { row: { field: 'difference', type: 'nominal', title: null, sort: differences } },
    spec: { width: 420, height: { step: 22 }, layer: layers },
  };
}

// labelLimit: a slice names every other varying parameter (`learning_rate=0.01, init=xavier`); Vega's default 180 px cut them to one indistinguishable prefix.
const Y = { field: 'slice', type: 'nominal', sort: null, title: null, axis: { labelLimit: 400 } } as const;
