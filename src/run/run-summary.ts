import type { RunOutcome } from './messages.ts';

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

/** What one `runExperiments` did, counted as its runs end. */
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
  /** Trainings of a pruned search's trials that stopped at a rung (each recorded in rungs/, checkpointed). */
  rungs: number;
  /** Runs that continued from a checkpoint, and notes on checkpoints that could not be used. */
  resumed: number;
  checkpointNotes: string[];
  /** Checkpoints written, the seconds they took and the seconds of training they belong to. */
  checkpoints: { count: number; seconds: number; trainingSeconds: number };
  /** Backends that ran, with the loader's remark when it fell back. */
  backends: Map<string, string | null>;
  /** Experiment files edited while this invocation ran (it ran the plan it had read). */
  changedFiles: string[];
  /** Results tables or charts that could not be written. */
  resultProblems: string[];
}

export function emptySummary(): RunSummary {
  return {
    planned: 0,
    reused: 0,
    completed: 0,
    earlyStopped: 0,
    diverged: 0,
    failed: 0,
    stopped: [],
    skipped: 0,
    rungs: 0,
    resumed: 0,
    checkpointNotes: [],
    checkpoints: { count: 0, seconds: 0, trainingSeconds: 0 },
    backends: new Map(),
    changedFiles: [],
    resultProblems: [],
  };
}

/** Counts what every outcome reports, whatever its status: checkpoints, resumption, the backend. */
export function countOutcome(summary: RunSummary, label: string, outcome: RunOutcome): void {
  summary.checkpoints.count += outcome.checkpoints;
  summary.checkpoints.seconds += outcome.checkpointSeconds;
  summary.checkpoints.trainingSeconds += outcome.seconds;
  if (outcome.resumedFrom !== null) summary.resumed++;
  if (outcome.checkpointNote) summary.checkpointNotes.push(`${label}: ${outcome.checkpointNote}`);
  if (!summary.backends.has(outcome.backend)) summary.backends.set(outcome.backend, outcome.backendNote);
}

/** Counts a run whose record was written, by its status. */
export function countRecorded(summary: RunSummary, status: Exclude<RunOutcome['status'], 'stopped'>): void {
  if (status === 'completed') summary.completed++;
  else if (status === 'early-stopped') summary.earlyStopped++;
  else summary.diverged++;
}
