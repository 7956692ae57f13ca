import { writeResults, type ExperimentResults } from '../report/write-results.ts';
import type { ResultRow } from '../report/result-row.ts';
import type { ReportSection } from './page/page.ts';
import type { SectionInput } from './page/sections.ts';
import type { ChartSettings } from './settings.ts';
import type { Chart } from './spec.ts';
import type { ChartsWritten } from './write-charts.ts';

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
 * (unless `charts` is false) the charts/ folder and report.html. Nothing is trained. The charts'
 * code (Vega, Vega-Lite, resvg: most of what the program loads) is loaded only when they are drawn.
 */
export async function writeReport(out: string, experiment: ReportInput, options: ReportOptions): Promise<ReportWritten> {
  const tables = writeResults(out, experiment);
  if (!options.charts) return { tables, charts: null };
  const { writeChartsAndPage } = await import('./write-page.ts');
  return { tables, charts: await writeChartsAndPage(out, experiment, options) };
}
