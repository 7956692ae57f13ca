import type { NamedComparison } from '../compare/section.ts';
import { differenceName } from '../compare/formatting.ts';
import { forestPlotSpec } from './forest-plot.ts';
import { withSchema, type Chart } from './spec.ts';

/** The forest plot of each named comparison that could be computed, as a chart of the experiment (charts/comparison-<by>.*). */
export function comparisonCharts(named: readonly NamedComparison[]): Chart[] {
  return named.flatMap(({ spec, comparison }, i): Chart[] => {
    if (!comparison || comparison.rows.every((r) => r.mean_diff === null)) return [];
    const values = [...new Set(comparison.rows.map((r) => differenceName(r)))].join(', ');
    return [{ name: comparisonChartName(named, i), title: `${values} (${spec.by})`, spec: withSchema(forestPlotSpec(comparison)) }];
  });
}

/** `comparison-activation`, with the metric when two comparisons share a parameter. */
export function comparisonChartName(named: readonly NamedComparison[], index: number): string {
  const { spec } = named[index]!;
  const shared = named.filter((n) => n.spec.by === spec.by).length > 1;
  return `comparison-${safe(spec.by)}${shared ? `-${spec.metric}` : ''}`;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}
