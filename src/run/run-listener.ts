import type { ResolvedRun } from '../experiment/index.ts';

/** An experiment as the runner sees it: its file, its name, and the runs to train now. */
export interface ExperimentRuns {
  file: string;
  name: string;
  /** The runs to train: the whole plan, or those --only picked. */
  selected: readonly ResolvedRun[];
}

/**
 * What happens around training besides recording runs, supplied by the caller: `mlp-lab run`
 * draws each finished run's charts on idle cores and writes the results folder at the end
 * (publish/). The runner calls it while it holds the experiments' locks, so that what it writes
 * is never mixed with another `run`'s. Without one, runs are trained and recorded, nothing more.
 */
export interface RunListener<E extends ExperimentRuns> {
  /** Training begins; `coreFree()` says whether the runs leave a core of this machine idle right now. */
  trainingStarted(coreFree: () => boolean): void;
  /** A run started or ended: a core may have been taken or freed. */
  coresChanged(): void;
  /** A search proposed another round: these are the experiments with every run planned so far. */
  runsPlanned?(experiments: readonly E[]): void;
  /** A run's record is in the store (completed, early-stopped or diverged), in `runDir`. */
  runRecorded(experiment: E, run: ResolvedRun, runDir: string): void;
  /** Training is over (finished, interrupted or failed). Returns the problems to report: what could not be written. */
  trainingEnded(): Promise<string[]>;
}
