import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { collectResults } from '../report/collect.ts';
import { configurationTable, pivotTables } from '../report/tables.ts';
import { writeResults, type ExperimentResults } from '../report/write-results.ts';
import type { ResultRow } from '../report/result-row.ts';
import { experimentDir, runDir } from '../store/layout.ts';
import { buildCharts } from './build-charts.ts';
import { experimentSections, type SectionInput } from './page/sections.ts';
import { reportPage, type ReportSection } from './page/page.ts';
import { chartRoles } from './parameters.ts';
import type { ChartSettings } from './settings.ts';
import type { Chart } from './spec.ts';
import { writeCharts, type ChartsWritten } from './write-charts.ts';

/** An experiment's results with its file and its `charts:` settings. */
export interface ReportInput extends ExperimentResults {
  /** The experiment file, linked from the page. */
  file: string;
  charts: ChartSettings;
}

export interface ReportOptions {
  /** false (`--no-charts`): the tables only. */
  charts: boolean;
  /** Charts of the experiment other modules add (from the rows the page is built from), written to charts/ with the rest. */
  moreCharts?: ((rows: readonly ResultRow[]) => Chart[]) | undefined;
  /** Sections other modules add after the experiment's own (given what the page is built from). */
  sections?: ((input: SectionInput) => ReportSection[]) | undefined;
  /** Charts (by name) that `run` drew while other runs trained: drawn in this invocation, not stale. */
  drawnWhileTraining?: ReadonlySet<string> | undefined;
}

/** What was written for one experiment. */
export interface ReportWritten {
  /** results.csv, results.md, results.tex (paths as written). */
  tables: string[];
  /** Null with `charts: false`. */
  charts: (ChartsWritten & { notes: string[]; page: string }) | null;
}

/**
 * Everything `run` and `report` leave in results/<name>/ from the store: the tables, then
 * (unless `charts` is false) the charts/ folder and report.html. Nothing is trained.
 */
export async function writeReport(out: string, experiment: ReportInput, options: ReportOptions): Promise<ReportWritten> {
  const tables = writeResults(out, experiment);
  if (!options.charts) return { tables, charts: null };
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
  return { tables, charts: { ...written, seconds: (performance.now() - started) / 1000, notes: set.notes, page } };
}
