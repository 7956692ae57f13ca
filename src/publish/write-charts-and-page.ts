import path from 'node:path';
import { buildCharts } from '../charts/build-charts.ts';
import { comparisonCharts } from '../charts/comparison-charts.ts';
import { searchCharts } from '../charts/search-charts.ts';
import { chartRoles } from '../charts/parameters.ts';
import { writeCharts } from '../charts/write-charts.ts';
import type { NamedComparison } from '../compare/section.ts';
import { comparisonSections } from '../page/comparison-section.ts';
import { reportPage } from '../page/page.ts';
import { searchSections } from '../page/search-section.ts';
import { experimentSections, type SectionInput } from '../page/sections.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import { experimentDir, runDir } from '../store/layout.ts';
import type { ResultRow } from '../tables/result-row.ts';
import { configurationTable, pivotTables } from '../tables/tables.ts';
import type { ReportInput, ReportOptions, ReportWritten } from './report-input.ts';

/** What the tables were written from: the result rows and the computed comparisons. */
export interface CollectedResults {
  rows: readonly ResultRow[];
  comparisons: readonly NamedComparison[];
}

/**
 * An experiment's charts/ folder and report.html (the tables are written already): the
 * experiment's charts with the forest plots of its comparisons, then the page made of the
 * experiment's sections followed by the comparisons'.
 */
export async function writeChartsAndPage(
  out: string,
  experiment: ReportInput,
  { rows, comparisons }: CollectedResults,
  options: ReportOptions,
): Promise<NonNullable<ReportWritten['charts']>> {
  const started = performance.now();
  const dir = experimentDir(out, experiment.name);
  const dirOf = (run: { id: string }) => runDir(out, experiment.name, run.id);
  const set = buildCharts(rows, experiment.runs, dirOf, experiment.charts, experiment.table.columns);
  const forestPlots = comparisonCharts(comparisons);
  const search = searchCharts(experiment.search, { out, experiment: experiment.name });
  // Written to charts/ with the others, so that charts/ keeps them and `removeStale` does not delete them.
  set.experiment.push(...search, ...forestPlots);
  const written = await writeCharts(dir, set, experiment.charts, options.drawnWhileTraining);

  const input: SectionInput = {
    rows,
    tables: [configurationTable(rows), ...pivotTables(rows, experiment.table)],
    charts: set,
    roles: chartRoles(rows, { color: experiment.charts.color, facet: experiment.charts.facet, tableColumns: experiment.table.columns }),
    runDir: (row) => runDir(out, experiment.name, row.runId),
    pageDir: dir,
    tableRows: experiment.table.rows,
  };
  const finished = rows.filter((r) => r.outcome !== null && r.outcome.status !== 'failed').length;
  const relative = (file: string) => path.relative(dir, file).split(path.sep).join('/');
  const html = reportPage(
    {
      name: experiment.name,
      description: experiment.description.trim(),
      meta: [
        `${finished} of ${rows.length} runs finished · test accuracy in %, mean ± standard deviation over seeds where runs repeat · from <a href="${relative(experiment.file)}">${path.basename(experiment.file)}</a>`,
      ],
      links: [
        ['results.csv', 'results.csv'],
        ['results.md', 'results.md'],
        ['results.tex', 'results.tex'],
        ['charts/', 'charts/'],
      ],
    },
    [...experimentSections(input), ...searchSections(experiment.search, search), ...comparisonSections(comparisons, forestPlots)],
  );
  const page = path.join(dir, 'report.html');
  // Atomic like every file of the store: a full disk leaves the previous page, never half of one.
  writeFileAtomic(page, html);
  return { ...written, seconds: (performance.now() - started) / 1000, notes: set.notes, page };
}
