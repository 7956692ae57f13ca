import path from 'node:path';
import type { ReportWritten } from '../publish/write-report.ts';

/**
 * The lines `run` and `report` print about the charts and the page of each experiment:
 * where they are, how many were drawn again and how long that took, and what was left out.
 */
export function reportLines(reports: readonly ReportWritten[]): string[] {
  const lines: string[] = [];
  for (const report of reports) {
    const charts = report.charts;
    if (!charts) continue;
    const dir = path.dirname(report.tables[0]!);
    const drawn = [
      `${charts.rendered} drawn${charts.renderedWhileTraining ? ` (${charts.renderedWhileTraining} while training)` : ''}`,
      charts.unchanged ? `${charts.unchanged} unchanged` : null,
      charts.charts - charts.rendered - charts.unchanged ? `${charts.charts - charts.rendered - charts.unchanged} as specs only` : null,
    ]
      .filter((p) => p !== null)
      .join(', ');
    lines.push(`Charts: ${path.join(dir, 'charts')}/ (${charts.charts} charts, ${drawn}; with report.html ${charts.seconds.toFixed(1)} s)`);
    for (const note of charts.notes) lines.push(`  note: ${note}`);
    lines.push(`Report: ${charts.page}`);
  }
  return lines;
}
