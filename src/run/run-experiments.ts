import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { checkpointInterval, recordedConfig, toDatasetSpec, toTrainConfig } from '../experiment/run-config.ts';
import type { ResolvedRun } from '../experiment/index.ts';
import { comparisonReport } from '../compare/report-section.ts';
import { ChartsWhileTraining } from '../charts/charts-while-training.ts';
import { writeReport, type ReportInput, type ReportWritten } from '../charts/write-report.ts';
import { deleteCheckpointFile } from '../store/checkpoint-files.ts';
import { checkpointFile, experimentDir, lockFile, runDir } from '../store/layout.ts';
import { acquireLock, type Lock } from '../store/lock.ts';
import { recoverExperimentFolder } from '../store/recover.ts';
import { readRunState, writeRunFailure, writeRunRecord } from '../store/run-record.ts';
import { checkFreeSpace } from './disk-space.ts';
import type { RunOutcome, RunTask } from './messages.ts';
import type { ProgressDisplay, RunEnd } from './progress.ts';
import { MLP_LAB_VERSION, experimentCommit } from './provenance.ts';
import { executeRuns, type ScheduleOptions } from './schedule.ts';

/** An experiment ready to run: its plan, the runs to train now, and where it came from. */
export interface ExperimentToRun extends ReportInput {
  /** The whole plan: the results tables always show every run. */
  runs: readonly ResolvedRun[];
  /** The runs to train (all of them, or those --only picked). */
  selected: readonly ResolvedRun[];
}

/** A run to execute: the task a local worker process would get (keyed by its results folder) and the run it is. */
export interface RunToExecute {
  task: RunTask;
  run: ResolvedRun;
}

/**
 * What trains the runs and reports their events: worker processes on this machine
 * (`executeLocally`), or a queue of remote workers. Store writing stays in runExperiments.
 */
export type RunExecutor = (runs: readonly RunToExecute[], options: ScheduleOptions) => Promise<void>;

/** Trains on this machine's worker processes. */
export const executeLocally: RunExecutor = (runs, options) => executeRuns(runs.map((r) => r.task), options);

export interface RunOptions {
  /** The results store's root: results/<experiment name>/… */
  out: string;
  jobs: number;
  force: boolean;
  failFast: boolean;
  /** Wait for another `run` holding an experiment's lock instead of refusing at once. */
  wait: boolean;
  /** Written into the lock file, for whoever finds it held. */
  command: string;
  signal: AbortSignal;
  /** Builds the progress view once the number of runs to train and their work are known. */
  display: (pending: number, totalWork: number) => ProgressDisplay;
  /** Write the charts and the page after the tables (false: `--no-charts`). */
  charts: boolean;
  /** For tests: a worker entry that crashes, and Node options for the workers. */
  schedule?: Pick<ScheduleOptions, 'worker' | 'workerExecArgv'>;
  /** Default: executeLocally. */
  executor?: RunExecutor;
}

/** A run stopped by Ctrl-C / SIGTERM: how far it got. */
export interface StoppedRun {
  label: string;
  iteration: number;
  iterations: number;
  epoch: number;
  epochs: number;
  /** Its state was saved: the next `run` continues from there. */
  checkpointed: boolean;
}

export interface RunSummary {
  planned: number;
  reused: number;
  completed: number;
  earlyStopped: number;
  diverged: number;
  failed: number;
  stopped: StoppedRun[];
  /** Runs never started because of Ctrl-C or --fail-fast. */
  skipped: number;
  /** Runs that continued from a checkpoint, and notes on checkpoints that could not be used. */
  resumed: number;
  checkpointNotes: string[];
  /** Checkpoints written, the seconds they took and the seconds of training they belong to. */
  checkpoints: { count: number; seconds: number; trainingSeconds: number };
  /** Backends that ran, with the loader's remark when it fell back. */
  backends: Map<string, string | null>;
  /** Experiment files edited while this invocation ran (it ran the plan it had read). */
  changedFiles: string[];
  resultFiles: string[];
  /** What was written per experiment, in order. */
  reports: ReportWritten[];
  /** Results tables or charts that could not be written. */
  resultProblems: string[];
}

interface Pending { run: ResolvedRun; dir: string; checkpoint: string; experiment: ExperimentToRun; commit: string | null; work: number }

/**
 * Trains every run of the experiments that is not finished yet (all of them with `force`), on a
 * pool of worker processes, recording each run in the store as it ends, then rebuilds each
 * experiment's results tables. Each experiment's results folder is locked for the duration.
 */
export async function runExperiments(experiments: readonly ExperimentToRun[], options: RunOptions): Promise<RunSummary> {
  const summary: RunSummary = {
    planned: 0, reused: 0, completed: 0, earlyStopped: 0, diverged: 0, failed: 0, stopped: [], skipped: 0, resumed: 0,
    checkpointNotes: [], checkpoints: { count: 0, seconds: 0, trainingSeconds: 0 }, backends: new Map(), changedFiles: [], resultFiles: [], reports: [], resultProblems: [],
  };
  const fileDigests = new Map(experiments.map((e) => [e.file, digestOf(e.file)]));
  const locks: Lock[] = [];
  try {
    // In a fixed order, so that two invocations waiting for each other's experiments cannot deadlock.
    for (const name of [...new Set(experiments.map((e) => e.name))].sort()) {
      locks.push(await acquireLock(lockFile(options.out, name), { wait: options.wait, command: options.command }));
      recoverExperimentFolder(options.out, name);
    }
    return await trainPending(experiments, options, summary);
  } finally {
    for (const lock of locks) lock.release();
    for (const [file, digest] of fileDigests) if (digestOf(file) !== digest) summary.changedFiles.push(file);
  }
}

async function trainPending(experiments: readonly ExperimentToRun[], options: RunOptions, summary: RunSummary): Promise<RunSummary> {
  const pending = new Map<string, Pending>();
  for (const experiment of experiments) {
    const commit = experimentCommit(experiment.file);
    for (const run of experiment.selected) {
      summary.planned++;
      const dir = runDir(options.out, experiment.name, run.id);
      const checkpoint = checkpointFile(options.out, experiment.name, run.id);
      // With --force nothing is deleted up front: the new record replaces the old one as a unit.
      const state = options.force ? null : readRunState(dir);
      if (state && 'metrics' in state) {
        summary.reused++;
        deleteCheckpointFile(checkpoint); // left by a kill between writing the record and deleting it
        continue;
      }
      if (pending.has(dir)) continue; // the same run twice in one invocation trains once
      pending.set(dir, { run, dir, checkpoint, experiment, commit, work: run.work.flops });
    }
  }
  checkFreeSpace(options.out, [...pending.values()].map((p) => p.run.config), options.jobs);

  // Runs are keyed by their folder: the same run id can appear in two experiments. The longest
  // start first (by planned work; the sort is stable, so ties keep the file's order): started in
  // file order, a long run left for last keeps one core busy alone while the others idle.
  const longestFirst = [...pending.entries()].sort(([, a], [, b]) => b.work - a.work);
  const tasks: RunTask[] = longestFirst.map(([dir, { run, checkpoint }]) => {
    const interval = checkpointInterval(run.config);
    return {
      runId: dir,
      id: run.id,
      config: toTrainConfig(run.config),
      dataset: toDatasetSpec(run.config.dataset),
      backend: run.config.backend,
      checkpoint: { file: interval ? checkpoint : null, interval, resume: !options.force },
    };
  });
  const display = options.display(tasks.length, [...pending.values()].reduce((a, p) => a + p.work, 0));
  let started = 0;
  let inFlight = 0;
  const cores = availableParallelism();
  // Cores the runs will keep busy: those in flight and those waiting to start (a run that just
  // ended is replaced at once), at most --jobs. Charts are drawn on the others while runs train;
  // once none does, the report draws what is left.
  const charts = new ChartsWhileTraining(() => inFlight > 0 && Math.min(options.jobs, inFlight + (tasks.length - started)) < cores);
  if (options.charts && tasks.length > 0) charts.prepare();

  const fail = (p: Pending, message: string): void => {
    let kept = false;
    try {
      kept = !writeRunFailure(p.dir, recordedConfig(p.run.config, p.dir), { run_id: p.run.id, label: p.run.label, status: 'failed', message, failed_at: new Date().toISOString() });
    } catch (error) {
      message += `; its error.json could not be written either (${(error as Error).message})`;
    }
    summary.failed++;
    display.runEnded(p.dir, { status: 'failed', testAccuracy: null, seconds: 0, message: kept ? `${message}; the earlier record is kept` : message });
  };

  const finished = (p: Pending, outcome: RunOutcome): void => {
    summary.checkpoints.count += outcome.checkpoints;
    summary.checkpoints.seconds += outcome.checkpointSeconds;
    summary.checkpoints.trainingSeconds += outcome.seconds;
    if (outcome.resumedFrom !== null) summary.resumed++;
    if (outcome.checkpointNote) summary.checkpointNotes.push(`${p.experiment.name}/${p.run.label}: ${outcome.checkpointNote}`);
    if (!summary.backends.has(outcome.backend)) summary.backends.set(outcome.backend, outcome.backendNote);
    const resumed = outcome.resumedFrom !== null ? `resumed at iteration ${outcome.resumedFrom}` : null;
    if (outcome.status === 'stopped') {
      summary.stopped.push({
        label: `${p.experiment.name}/${p.run.label}`, iteration: outcome.iterations, iterations: outcome.totalIterations,
        epoch: outcome.epoch, epochs: p.run.config.epochs, checkpointed: outcome.checkpointed,
      });
      const saved = outcome.checkpointed ? 'checkpoint saved' : 'no checkpoint';
      display.runEnded(p.dir, { status: 'stopped', testAccuracy: null, seconds: outcome.seconds, message: `at iteration ${outcome.iterations} of ${outcome.totalIterations}, ${saved}` });
      return;
    }
    try {
      record(p, outcome);
    } catch (error) {
      fail(p, `its record could not be written: ${(error as Error).message}`);
      return;
    }
    deleteCheckpointFile(p.checkpoint);
    if (outcome.status === 'completed') summary.completed++;
    else if (outcome.status === 'early-stopped') summary.earlyStopped++;
    else summary.diverged++;
    const message = [outcome.message, resumed].filter((m) => m !== null).join('; ') || null;
    display.runEnded(p.dir, { status: outcome.status, testAccuracy: outcome.final.testAccuracy, seconds: outcome.seconds, message });
    if (options.charts) charts.add({ experimentDir: experimentDir(options.out, p.experiment.name), run: p.run, runDir: p.dir, settings: p.experiment.charts });
  };

  try {
    await (options.executor ?? executeLocally)(tasks.map((task) => ({ task, run: pending.get(task.runId)!.run })), {
      jobs: options.jobs,
      failFast: options.failFast,
      signal: options.signal,
      ...options.schedule,
      onEvent: (event) => {
        const p = pending.get(event.runId)!;
        switch (event.type) {
          case 'started':
            started++;
            inFlight++;
            display.runStarted(event.runId, `${p.experiment.name}/${p.run.label}`, p.work);
            charts.pump();
            return;
          case 'progress':
            display.progress(event);
            return;
          case 'finished':
            inFlight--;
            finished(p, event.outcome);
            charts.pump();
            return;
          case 'failed':
            inFlight--;
            fail(p, event.message);
            charts.pump();
        }
      },
    });
  } finally {
    display.close();
    summary.skipped = tasks.length - started;
    await charts.settle();
    for (const experiment of experiments) {
      try {
        const drawnWhileTraining = charts.drawn.get(experimentDir(options.out, experiment.name));
        const report = await writeReport(options.out, experiment, { charts: options.charts, drawnWhileTraining, ...comparisonReport(options.out, experiment) });
        summary.reports.push(report);
        summary.resultFiles.push(...report.tables);
      } catch (error) {
        // A full or read-only disk found late: the runs are recorded (or failed); say so, go on.
        summary.resultProblems.push(`${experiment.name}: the results ${options.charts ? 'tables and charts' : 'tables'} could not all be written (${(error as Error).message}); \`mlp-lab report\` rebuilds them`);
      }
    }
  }
  return summary;
}

function record(p: Pending, outcome: RunOutcome): void {
  const f = outcome.final;
  writeRunRecord(p.dir, {
    config: recordedConfig(p.run.config, p.dir),
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
      status: outcome.status as Exclude<RunOutcome['status'], 'stopped'>,
      message: outcome.message,
      ...(p.run.config.early_stopping ? { best_epoch: outcome.best?.epoch ?? null } : {}),
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
}

function digestOf(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}
