import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { deleteCheckpointFile } from '../store/checkpoint-files.ts';
import { lockFile } from '../store/layout.ts';
import { acquireLock, type Lock } from '../store/lock.ts';
import { recoverExperimentFolder } from '../store/recover.ts';
import { checkFreeSpace } from './disk-space.ts';
import type { RunOutcome, RunTask } from './messages.ts';
import { longestFirst, pendingRuns, type PendingRun } from './pending-runs.ts';
import type { ProgressDisplay } from './progress.ts';
import { recordFailure, recordRun } from './record-run.ts';
import { writeRung } from '../store/rung-record.ts';
import type { ExperimentRuns, RunListener } from './run-listener.ts';
import { countOutcome, countRecorded, emptySummary, type RunSummary } from './run-summary.ts';
import { executeRuns, type ScheduleOptions } from './schedule.ts';
import type { ResolvedRun } from '../experiment/index.ts';

export type { RunSummary } from './run-summary.ts';

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
export const executeLocally: RunExecutor = (runs, options) =>
  executeRuns(
    runs.map((r) => r.task),
    options,
  );

export interface RunOptions<E extends ExperimentRuns = ExperimentRuns> {
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
  /** Builds the progress view once the number of runs to train and their work are known; `stage` names a search's round. */
  display: (pending: number, totalWork: number, stage: string | null) => ProgressDisplay;
  /** Draws and writes what the runs' records make (publish/); called under the locks. */
  listener?: RunListener<E>;
  /** For tests: a worker entry that crashes, and Node options for the workers. */
  schedule?: Pick<ScheduleOptions, 'worker' | 'workerExecArgv'>;
  /** The first round's name, when an experiment searches (shown by the progress view). */
  stage?: string | null;
  /**
   * A search's next round: called once the runs of `experiments` are trained, it returns the
   * experiments with the runs of the rounds the records now let be proposed, or null when no
   * search has new runs (every round done, or a run failed and is left for the next `run`).
   */
  nextRound?: (experiments: readonly E[]) => { experiments: readonly E[]; stage: string | null } | null;
  /** Default: executeLocally. */
  executor?: RunExecutor;
}

/**
 * Trains every selected run of the experiments that is not finished yet (all of them with
 * `force`), on a pool of worker processes, recording each run in the store as it ends. Each
 * experiment's results folder is locked for the duration, and put in order first (what a kill
 * left half-written); the listener writes what the records make under the same locks.
 */
export async function runExperiments<E extends ExperimentRuns>(experiments: readonly E[], options: RunOptions<E>): Promise<RunSummary> {
  const summary = emptySummary();
  const fileDigests = new Map(experiments.map((e) => [e.file, digestOf(e.file)]));
  const locks: Lock[] = [];
  try {
    // In a fixed order, so that two invocations waiting for each other's experiments cannot deadlock.
    for (const name of [...new Set(experiments.map((e) => e.name))].sort()) {
      locks.push(await acquireLock(lockFile(options.out, name), { wait: options.wait, command: options.command }));
      recoverExperimentFolder(options.out, name);
    }
    await trainPending(experiments, options, summary);
    return summary;
  } finally {
    for (const lock of locks) lock.release();
    for (const [file, digest] of fileDigests) if (digestOf(file) !== digest) summary.changedFiles.push(file);
  }
}

async function trainPending<E extends ExperimentRuns>(experiments: readonly E[], options: RunOptions<E>, summary: RunSummary): Promise<void> {
  const listener = options.listener;
  // Runs recorded by this invocation: a search's later rounds list them again, and they are neither reused nor retrained (--force).
  const recordedHere = new Set<string>();
  // Runs this invocation stopped at a pruner's rung, with that rung's epoch: not reused either, and
  // with --force neither trained again at that rung nor started over when promoted.
  const rungsHere = new Map<string, number>();
  let current = experiments;
  let stage = options.stage ?? null;
  let remaining = 0;
  let inFlight = 0;
  let listening = false;
  const cores = availableParallelism();
  try {
    for (;;) {
      const { pending, planned, reusedDirs } = pendingRuns(current, options.out, options.force);
      for (const dir of recordedHere) pending.delete(dir);
      summary.planned = planned;
      summary.reused = [...reusedDirs].filter((dir) => !recordedHere.has(dir) && !rungsHere.has(dir)).length;
      checkFreeSpace(
        options.out,
        [...pending.values()].map((p) => p.run.config),
        options.jobs,
      );
      for (const [dir, epoch] of rungsHere) if (pending.get(dir)?.run.rung?.untilEpoch === epoch) pending.delete(dir);
      const tasks = longestFirst(pending, options.force).map((task) =>
        rungsHere.has(task.runId) ? { ...task, checkpoint: { ...task.checkpoint, resume: true } } : task,
      );
      const display = options.display(
        tasks.length,
        [...pending.values()].reduce((a, p) => a + p.work, 0),
        stage,
      );
      const ended = new RunEnds(summary, display, listener, recordedHere, rungsHere);
      let started = 0;
      remaining = tasks.length;
      // Cores the runs will keep busy: those in flight and those waiting to start (a run that just
      // ended is replaced at once), at most --jobs. The listener may use the others while runs train.
      if (tasks.length > 0 && !listening) {
        listener?.trainingStarted(() => inFlight > 0 && Math.min(options.jobs, inFlight + remaining) < cores);
        listening = true;
      }
      try {
        await (options.executor ?? executeLocally)(
          tasks.map((task) => ({ task, run: pending.get(task.runId)!.run })),
          {
            jobs: options.jobs,
            failFast: options.failFast,
            signal: options.signal,
            ...options.schedule,
            onEvent: (event) => {
              const p = pending.get(event.runId)!;
              switch (event.type) {
                case 'started':
                  started++;
                  remaining--;
                  inFlight++;
                  display.runStarted(event.runId, `${p.experiment.name}/${p.run.label}`, p.work);
                  listener?.coresChanged();
                  return;
                case 'progress':
                  display.progress(event);
                  return;
                case 'finished':
                  inFlight--;
                  {
                    // The scheduler starts the next run while this record is flushed (see executeRuns).
                    const recorded = ended.finished(p, event.outcome);
                    listener?.coresChanged();
                    return recorded;
                  }
                case 'failed':
                  inFlight--;
                  ended.failed(p, event.message);
                  listener?.coresChanged();
              }
            },
          },
        );
      } finally {
        display.close();
        summary.skipped += tasks.length - started;
      }
      // A search's next round is proposed from this one's records; an interruption or a failure stops it here (a rerun goes on).
      if (options.signal.aborted || (options.failFast && summary.failed > 0) || !options.nextRound) break;
      const next = options.nextRound(current);
      if (!next) break;
      current = next.experiments;
      stage = next.stage;
      listener?.runsPlanned?.(current);
    }
  } finally {
    if (listener) summary.resultProblems.push(...(await listener.trainingEnded()));
  }
}

/** What happens when a run ends: it is recorded (or its failure is), counted and shown. */
class RunEnds<E extends ExperimentRuns> {
  constructor(
    private readonly summary: RunSummary,
    private readonly display: ProgressDisplay,
    private readonly listener: RunListener<E> | undefined,
    private readonly recorded: Set<string>,
    private readonly rungs: Map<string, number>,
  ) {}

  failed(p: PendingRun<E>, message: string): void {
    this.summary.failed++;
    this.display.runEnded(p.dir, { status: 'failed', testAccuracy: null, seconds: 0, message: recordFailure(p, message) });
  }

  /** Settles once the run is recorded (its record flushed to disk) and shown. */
  async finished(p: PendingRun<E>, outcome: RunOutcome): Promise<void> {
    const label = `${p.experiment.name}/${p.run.label}`;
    if (outcome.rung) {
      // At a pruner's rung: its metrics there are recorded, its checkpoint kept for the next rung.
      try {
        writeRung(p.rungs, p.run.id, outcome.rung.epoch, outcome.iterations, outcome.final, outcome.seconds);
      } catch (error) {
        this.failed(p, `its rung could not be recorded: ${(error as Error).message}`);
        return;
      }
      if (outcome.resumedFrom !== null) this.summary.resumed++;
      this.summary.rungs++;
      this.rungs.set(p.dir, outcome.rung.epoch);
      this.display.runEnded(p.dir, { status: 'completed', testAccuracy: outcome.final.testAccuracy, seconds: outcome.seconds, message: outcome.message });
      return;
    }
    countOutcome(this.summary, label, outcome);
    if (outcome.status === 'stopped') {
      this.summary.stopped.push({
        label,
        iteration: outcome.iterations,
        iterations: outcome.totalIterations,
        epoch: outcome.epoch,
        epochs: p.run.config.epochs,
        checkpointed: outcome.checkpointed,
      });
      const saved = outcome.checkpointed ? 'checkpoint saved' : 'no checkpoint';
      this.display.runEnded(p.dir, {
        status: 'stopped',
        testAccuracy: null,
        seconds: outcome.seconds,
        message: `at iteration ${outcome.iterations} of ${outcome.totalIterations}, ${saved}`,
      });
      return;
    }
    const status = outcome.status;
    try {
      await recordRun(p, { ...outcome, status });
    } catch (error) {
      this.failed(p, `its record could not be written: ${(error as Error).message}`);
      return;
    }
    deleteCheckpointFile(p.checkpoint);
    this.recorded.add(p.dir);
    countRecorded(this.summary, status);
    const resumed = outcome.resumedFrom !== null ? `resumed at iteration ${outcome.resumedFrom}` : null;
    const message = [outcome.message, resumed].filter((m) => m !== null).join('; ') || null;
    this.display.runEnded(p.dir, { status, testAccuracy: outcome.final.testAccuracy, seconds: outcome.seconds, message });
    this.listener?.runRecorded(p.experiment, p.run, p.dir);
  }
}

function digestOf(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}
