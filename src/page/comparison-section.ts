import type { Chart } from '../charts/spec.ts';
import { comparisonChartName } from '../charts/comparison-charts.ts';
import { comparisonBlocks } from '../compare/formatting.ts';
import type { NamedComparison } from '../compare/section.ts';
import { escapeHtml } from './html.ts';
import type { PageBlock, ReportSection } from './page.ts';
import { tableHtml } from './tables-html.ts';

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
      blocks.push({
        html: `<p>Left out of the comparison by ${escapeHtml(spec.by)} (${comparison.leftOut.length}):</p><ul>${comparison.leftOut.map((l) => `<li><code>${escapeHtml(l.runId)}</code> ${escapeHtml(l.label)}: ${escapeHtml(l.reason)}</li>`).join('')}</ul>`,
      });
    }
  });
  return [{ id: 'comparisons', title: 'Comparisons', blocks }];
}
