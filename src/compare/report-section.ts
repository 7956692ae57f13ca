import { escapeHtml } from '../charts/page/html.ts';
import type { ReportOptions } from '../charts/write-report.ts';
import type { ExperimentResults } from '../report/write-results.ts';
import { runDir } from '../store/layout.ts';
import type { PageBlock, ReportSection } from '../charts/page/page.ts';
import { tableHtml } from '../charts/page/tables-html.ts';
import { withSchema, type Chart } from '../charts/spec.ts';
import { forestPlotSpec } from './forest-plot.ts';
import { comparisonBlocks, differenceName } from './formatting.ts';
import { namedComparisons, type NamedComparison } from './section.ts';

/**
 * What `writeReport` needs to add the experiment's `compare:` section to report.html: the forest
 * plots as charts of the experiment (written to charts/ with the others, so charts/ keeps them
 * and `removeStale` does not delete them) and the "Comparisons" section that shows them. The
 * comparisons are computed once, from the rows the charts are built from.
 */
export function comparisonReport(out: string, experiment: Pick<ExperimentResults, 'name' | 'comparisons'>): Pick<ReportOptions, 'moreCharts' | 'sections'> {
  let named: NamedComparison[] = [];
  let charts: Chart[] = [];
  return {
    moreCharts: (rows) => {
      named = namedComparisons(rows, experiment.comparisons ?? [], (row) => runDir(out, experiment.name, row.runId));
      charts = comparisonCharts(named);
      return charts;
    },
    sections: () => comparisonSections(named, charts),
  };
}

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

/**
 * report.html's "Comparisons" section: per comparison its tables, notes, forest plot and the runs
 * it leaves out. None without comparisons.
 */
export function comparisonSections(named: readonly NamedComparison[], charts: readonly Chart[]): ReportSection[] {
  if (named.length === 0) return [];
  const blocks: PageBlock[] = [];
  named.forEach(({ spec, comparison, problem }, i) => {
    if (!comparison) {
      blocks.push({ html: `<p>Comparison by ${escapeHtml(spec.by)}: not shown (${escapeHtml(problem ?? '')}).</p>` });
      return;
    }
    for (const { table, notes } of comparisonBlocks(comparison)) {
      blocks.push({ html: tableHtml(table) });
      if (notes.length > 0) blocks.push({ html: `<p class="note">${notes.map(escapeHtml).join('<br>')}</p>` });
    }
    const chart = charts.find((c) => c.name === comparisonChartName(named, i));
    if (chart) blocks.push({ chart, caption: 'Mean paired difference per slice with its 95% interval; the dashed line is no difference.' });
    if (comparison.leftOut.length > 0) {
      blocks.push({ html: `<p>Left out of the comparison by ${escapeHtml(spec.by)} (${comparison.leftOut.length}):</p><ul>${comparison.leftOut.map((l) => `<li><code>${escapeHtml(l.runId)}</code> ${escapeHtml(l.label)}: ${escapeHtml(l.reason)}</li>`).join('')}</ul>` });
    }
  });
  return [{ id: 'comparisons', title: 'Comparisons', blocks }];
}
