import { ChartsWhileTraining } from '../charts/charts-while-training.ts';
import type { ResolvedRun } from '../experiment/index.ts';
import type { ExperimentRuns, RunListener } from '../run/run-listener.ts';
import { experimentDir } from '../store/layout.ts';
import type { ReportInput, ReportWritten } from './report-input.ts';
import { writeReport } from './write-report.ts';

/** An experiment `mlp-lab run` trains and then writes the results folder of. */
export type ExperimentToRun = ExperimentRuns & ReportInput;

/**
 * What `mlp-lab run` does besides training: draws each finished run's charts while others still
 * train, on cores they leave idle, then writes every experiment's tables, charts and page.
 */
export class ResultsPublisher implements RunListener<ExperimentToRun> {
  /** What was written per experiment, in order. */
  readonly written: ReportWritten[] = [];
  private charts: ChartsWhileTraining | null = null;

  constructor(
    private readonly out: string,
    private experiments: readonly ExperimentToRun[],
    private readonly options: { charts: boolean },
  ) {}

  /** A search's later rounds: its tables list every run proposed so far. */
  runsPlanned(experiments: readonly ExperimentToRun[]): void {
    this.experiments = experiments;
  }

  trainingStarted(coreFree: () => boolean): void {
    if (!this.options.charts) return;
    this.charts = new ChartsWhileTraining(coreFree);
    this.charts.prepare();
  }

  coresChanged(): void {
    this.charts?.pump();
  }

  runRecorded(experiment: ExperimentToRun, run: ResolvedRun, runDir: string): void {
    this.charts?.add({ experimentDir: experimentDir(this.out, experiment.name), run, runDir, settings: experiment.charts });
  }

  async trainingEnded(): Promise<string[]> {
    await this.charts?.settle();
    const problems: string[] = [];
    for (const experiment of this.experiments) {
      try {
        const drawnWhileTraining = this.charts?.drawn.get(experimentDir(this.out, experiment.name));
        this.written.push(await writeReport(this.out, experiment, { charts: this.options.charts, drawnWhileTraining }));
      } catch (error) {
        // A full or read-only disk found late: the runs are recorded (or failed); say so, go on.
        problems.push(
          `${experiment.name}: the results ${this.options.charts ? 'tables and charts' : 'tables'} could not all be written (${(error as Error).message}); \`mlp-lab report\` rebuilds them`,
        );
      }
    }
    return problems;
  }

  /** The results tables written, for the summary. */
  get tables(): string[] {
    return this.written.flatMap((w) => w.tables);
  }
}
