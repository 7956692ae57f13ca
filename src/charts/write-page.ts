import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { collectResults } from '../report/collect.ts';
import { configurationTable, pivotTables } from '../report/tables.ts';
import { experimentDir, runDir } from '../store/layout.ts';
import { buildCharts } from './build-charts.ts';
import { experimentSections, type SectionInput } from './page/sections.ts';
import { reportPage } from './page/page.ts';
import { chartRoles } from './parameters.ts';
import { writeCharts } from './write-charts.ts';
import type { ReportInput, ReportOptions, ReportWritten } from './write-report.ts';

/** An experiment's charts/ folder and report.html, from the store (the tables are written already). */
export async function writeChartsAndPage(out: string, experiment: ReportInput, options: ReportOptions): Promise<NonNullable<ReportWritten['charts']>> {
  const started = performance.now();
  const dir = experimentDir(out, experiment.name);
  const dirOf = (run: { id: string }) => runDir(out, experiment.name, run.id);
  const rows = collectResults(experiment.runs, dirOf);
  const set = buildCharts(rows, experiment.runs, dirOf, experiment.charts, experiment.table.columns);
  set.experiment.push(...(options.moreCharts?.(rows) ?? []));
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
      meta: [`${finished} of ${rows.length} runs finished · test accuracy in %, mean ± standard deviation over seeds where runs repeat · from <a href="${relative(experiment.file)}">${path.basename(experiment.file)}</a>`],
      links: [['results.csv', 'results.csv'], ['results.md', 'results.md'], ['results.tex', 'results.tex'], ['charts/', 'charts/']],
    },
    [...experimentSections(input), ...(options.sections?.(input) ?? [])],
  );
  const page = path.join(dir, 'report.html');
  writeFileSync(page, html);
  return { ...written, seconds: (performance.now() - started) / 1000, notes: set.notes, page };
}
