import type { ChartSettings } from '../charts/settings.ts';
import { chartSettings } from '../charts/settings.ts';
import type { ComparisonSpec } from '../compare/compare.ts';
import type { LoadedExperiment, ResolvedRun } from '../experiment/index.ts';
import { variantLabelOf, variantNamed } from '../experiment/run-names.ts';
import type { ChartsWritten } from '../charts/write-charts.ts';
import type { ExperimentResults } from '../tables/write-tables.ts';
import type { SearchPlan } from '../run/search-plan.ts';

/** What an experiment's results folder is written from: its plan, its file and its `charts:` and `compare:` settings. */
export interface ReportInput extends ExperimentResults {
  /** The experiment file, linked from the page. */
  file: string;
  charts: ChartSettings;
  /** The comparisons the experiment file names (`compare:`), in results.md and on the page. */
  comparisons: readonly ComparisonSpec[];
  /** A search's plan as far as the store goes (results.md's Search section); absent for a grid. */
  search?: SearchPlan | null;
}

export interface ReportOptions {
  /** false (`--no-charts`): the tables only. */
  charts: boolean;
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

/** A loaded experiment as its results are written. The tables show a variant by its label; runs carry its id. */
export function reportInput(loaded: LoadedExperiment, runs: readonly ResolvedRun[] = loaded.runs): ReportInput & { runs: readonly ResolvedRun[] } {
  const labels = new Map((loaded.experiment.variants ?? []).map((v) => [v.id, v.label ?? v.id]));
  return {
    file: loaded.file,
    name: loaded.experiment.name,
    description: loaded.experiment.description ?? '',
    table: { rows: loaded.experiment.table?.rows ?? null, columns: loaded.experiment.table?.columns ?? null },
    comparisons: (loaded.experiment.compare ?? []).map((c) => ({
      by: c.by,
      metric: c.metric ?? 'test_accuracy',
      baseline: variantLabel(loaded, c.by, c.baseline ?? null),
    })),
    charts: chartSettings(loaded.experiment.charts),
    runs: runs.map((run) => ({ ...run, variant: run.variant === null ? null : (labels.get(run.variant) ?? run.variant) })),
  };
}

/** Comparisons by variant name the baseline by the variant's id or label; the runs carry its label. */
export function variantLabel(loaded: LoadedExperiment, by: string, baseline: unknown): unknown {
  if (by !== 'variant') return baseline;
  const variant = variantNamed(loaded.experiment, baseline);
  return variant ? variantLabelOf(variant) : baseline;
}
