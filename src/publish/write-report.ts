import { namedComparisons, comparisonsMarkdown } from '../compare/section.ts';
import { experimentDir, runDir } from '../store/layout.ts';
import { collectResults } from '../tables/collect.ts';
import { writeTables } from '../tables/write-tables.ts';
import type { ReportInput, ReportOptions, ReportWritten } from './report-input.ts';
import { searchMarkdown } from './search-section.ts';

export type { ReportInput, ReportOptions, ReportWritten } from './report-input.ts';

/**
 * Everything `run` and `report` leave in results/<name>/ from the store: the tables with the
 * comparisons, then (unless `charts` is false) the charts/ folder and report.html. Nothing is
 * trained. The charts' code (Vega, Vega-Lite, resvg: most of what the program loads) is loaded
 * only when they are drawn.
 */
export async function writeReport(out: string, experiment: ReportInput, options: ReportOptions): Promise<ReportWritten> {
  const dirOf = (run: { id: string }) => runDir(out, experiment.name, run.id);
  const rows = collectResults(experiment.runs, dirOf);
  const comparisons = namedComparisons(rows, experiment.comparisons, (row) => runDir(out, experiment.name, row.runId), experiment.search ?? null);
  const tables = writeTables(experimentDir(out, experiment.name), experiment, rows, [
    ...searchMarkdown(experiment.search),
    ...comparisonsMarkdown(comparisons),
  ]);
  if (!options.charts) return { tables, charts: null };
  const { writeChartsAndPage } = await import('./write-charts-and-page.ts');
  return { tables, charts: await writeChartsAndPage(out, experiment, { rows, comparisons }, options) };
}
