import type { TrainingData } from '../core/dataset.ts';
import { loadDataset } from '../data/load.ts';
import { toDatasetSpec, toTrainConfig, type RunDataset } from '../experiment/run-config.ts';
import type { ResolvedRun } from '../experiment/index.ts';
import { writeResults, type ExperimentResults } from '../report/write-results.ts';
import { runDir } from '../store/layout.ts';
import { readRunState, writeRunFailure, writeRunRecord } from '../store/run-record.ts';
import type { RunOutcome } from './messages.ts';
import type { ProgressDisplay, RunEnd } from './progress.ts';
import { MLP_LAB_VERSION, experimentCommit } from './provenance.ts';
import { executeRuns, type ScheduledRun } from './schedule.ts';

/** An experiment ready to run: its plan, the runs to train now, and where it came from. */
export interface ExperimentToRun extends ExperimentResults {
  file: string;
  /** The whole plan: the results tables always show every run. */
  runs: readonly ResolvedRun[];
  /** The runs to train (all of them, or those --only picked). */
  selected: readonly ResolvedRun[];
}

export interface RunOptions {
  /** The results store's root: results/<experiment name>/… */
  out: string;
  jobs: number;
  force: boolean;
  failFast: boolean;
  signal: AbortSignal;
  /** Builds the progress view once the number of runs to train and their work are known. */
  display: (pending: number, totalWork: number) => ProgressDisplay;
}

export interface RunSummary {
  planned: number;
  reused: number;
  completed: number;
  diverged: number;
  failed: number;
  stopped: number;
  /** Runs never started because of Ctrl-C or --fail-fast. */
  skipped: number;
  /** Backends that ran, with the loader's remark when it fell back. */
  backends: Map<string, string | null>;
  resultFiles: string[];
}

/**
 * Trains every run of the experiments that is not finished yet (all of them with `force`), on a
 * pool of worker threads, recording each run in the store as it ends, then rebuilds each
 * experiment's results tables. Datasets are read once and shared by all runs that use them.
 */
export async function runExperiments(experiments: readonly ExperimentToRun[], options: RunOptions): Promise<RunSummary> {
  const summary: RunSummary = {
    planned: 0, reused: 0, completed: 0, diverged: 0, failed: 0, stopped: 0, skipped: 0, backends: new Map(), resultFiles: [],
  };
  const datasets = new Map<string, TrainingData>();
  const dataFor = (dataset: RunDataset): TrainingData => {
    const key = JSON.stringify(dataset);
    let data = datasets.get(key);
    if (!data) {
      data = loadDataset(toDatasetSpec(dataset));
      datasets.set(key, data);
    }
    return data;
  };

  interface Pending { run: ResolvedRun; dir: string; experiment: ExperimentToRun; commit: string | null; work: number }
  const pending = new Map<string, Pending>();
  for (const experiment of experiments) {
    const commit = experimentCommit(experiment.file);
    for (const run of experiment.selected) {
      summary.planned++;
      const dir = runDir(options.out, experiment.name, run.id);
      // With --force nothing is deleted up front: each file of the old record is replaced only
      // when the new run is written, so an interrupted --force loses nothing.
      const state = options.force ? null : readRunState(dir);
      if (state && 'metrics' in state) {
        summary.reused++;
        continue;
      }
      if (pending.has(dir)) continue; // the same run twice in one invocation trains once
      pending.set(dir, { run, dir, experiment, commit, work: run.work.flops });
    }
  }

  // Runs are keyed by their folder: the same run id can appear in two experiments.
  const scheduled: ScheduledRun[] = [...pending.entries()].map(([dir, { run }]) => ({
    runId: dir,
    config: toTrainConfig(run.config),
    data: dataFor(run.config.dataset),
    backend: run.config.backend,
  }));
  const display = options.display(scheduled.length, [...pending.values()].reduce((a, p) => a + p.work, 0));
  let started = 0;

  const record = (p: Pending, outcome: RunOutcome): RunEnd['status'] => {
    if (outcome.status === 'stopped') return 'stopped';
    const f = outcome.final;
    writeRunRecord(p.dir, {
      config: p.run.config,
      history: outcome.history,
      weights: outcome.weights,
      weightsMetadata: {
        layers: JSON.stringify(p.run.config.layers),
        activations: JSON.stringify(p.run.config.activations),
        layout: 'W<l> is n_in × n_out (forward: A = g(X @ W + b)); b<l> is n_out',
      },
      metrics: {
        run_id: p.run.id,
        label: p.run.label,
        status: outcome.status,
        message: outcome.message,
        train_cost: f.trainCost,
        train_accuracy: f.trainAccuracy,
        test_cost: f.testCost,
        test_accuracy: f.testAccuracy,
        validation_cost: f.validationCost,
        validation_accuracy: f.validationAccuracy,
        iterations: outcome.iterations,
        seconds: outcome.seconds,
        seed: p.run.config.seed,
        backend: outcome.backend,
        mlp_lab_version: MLP_LAB_VERSION,
        node_version: process.version,
        experiment_commit: p.commit,
        finished_at: new Date().toISOString(),
      },
    });
    return outcome.status;
  };

  try {
    await executeRuns(scheduled, {
      jobs: options.jobs,
      failFast: options.failFast,
      signal: options.signal,
      onEvent: (event) => {
        const p = pending.get(event.runId)!;
        switch (event.type) {
          case 'started':
            started++;
            display.runStarted(event.runId, `${p.experiment.name}/${p.run.label}`, p.work);
            return;
          case 'progress':
            display.progress(event);
            return;
          case 'finished': {
            const status = record(p, event.outcome);
            summary[status]++;
            if (!summary.backends.has(event.outcome.backend)) summary.backends.set(event.outcome.backend, event.outcome.backendNote);
            display.runEnded(event.runId, { status, testAccuracy: event.outcome.final.testAccuracy, seconds: event.outcome.seconds, message: event.outcome.message });
            return;
          }
          case 'failed':
            writeRunFailure(p.dir, p.run.config, { run_id: p.run.id, label: p.run.label, status: 'failed', message: event.message, failed_at: new Date().toISOString() });
            summary.failed++;
            display.runEnded(event.runId, { status: 'failed', testAccuracy: null, seconds: 0, message: event.message });
        }
      },
    });
  } finally {
    display.close();
    summary.skipped = scheduled.length - started;
    for (const experiment of experiments) {
      summary.resultFiles.push(...writeResults(options.out, experiment));
    }
  }
  return summary;
}
