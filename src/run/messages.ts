import type { TrainConfig } from '../core/config.ts';
import type { BackendName } from '../core/kernels/kernels.ts';
import type { BackendChoice } from '../backends/load.ts';
import type { FinalMetrics, HistoryRecord, RunStatus } from '../core/train.ts';
import type { DatasetSpec } from '../data/load.ts';
import type { CheckpointInterval } from '../experiment/run-config.ts';
import type { NamedTensor } from '../store/safetensors.ts';

/**
 * What the main process sends a worker process for one run. Plain data (it crosses a process
 * boundary): the worker loads the dataset itself from `dataset`, once per dataset.
 */
export interface RunTask {
  /** The run's key in this invocation (its folder: one id may be in two experiments). */
  runId: string;
  /** The run id, checked against the checkpoint's. */
  id: string;
  config: TrainConfig;
  dataset: DatasetSpec;
  backend: BackendChoice;
  checkpoint: {
    /** Where the run's checkpoint lives; null: no checkpoints at all. */
    file: string | null;
    interval: CheckpointInterval;
    /** Continue from an existing checkpoint (false with --force: start over). */
    resume: boolean;
  };
  /**
   * A pruner's rung: train to the end of this epoch (of the run's `epochs`), checkpoint, evaluate
   * and stop, so that a promoted trial goes on from there. Absent: train to the end.
   */
  untilEpoch?: number;
}

/** A worker's report on a run in flight, posted at most a few times a second. */
export interface ProgressMessage {
  type: 'progress';
  runId: string;
  epoch: number;
  epochs: number;
  iteration: number;
  iterations: number;
  trainCost: number;
  testAccuracy: number | null;
  /** Training seconds so far, those before a resume included (absent from older workers). */
  seconds?: number;
}

/** What a worker returns when a run ends without an exception. */
export interface RunOutcome {
  status: RunStatus;
  message: string | null;
  history: HistoryRecord[];
  final: FinalMetrics;
  iterations: number;
  /** The run's length in iterations and its epoch when it ended (for a stopped run's summary). */
  totalIterations: number;
  epoch: number;
  seconds: number;
  backend: BackendName;
  /** The backend loader's one-line remark, e.g. why it fell back to wasm. */
  backendNote: string | null;
  /** With early stopping: the record whose weights were kept. */
  best: { epoch: number; iteration: number; value: number } | null;
  /** The iteration it continued from, when it resumed from a checkpoint. */
  resumedFrom: number | null;
  /** Why an existing checkpoint was not used (another version or backend, damaged); null otherwise. */
  checkpointNote: string | null;
  /** For a stopped run: whether its state was saved, so that the next `run` continues it. */
  checkpointed: boolean;
  /** Seconds spent writing checkpoints, and how many were written. */
  checkpointSeconds: number;
  checkpoints: number;
  /** W1, b1, W2, b2, … with W as n_in × n_out; empty for a stopped run. */
  weights: NamedTensor[];
  /** A run that reached its task's `untilEpoch` (status `stopped`, checkpointed): that epoch, and `final` holds the metrics there. */
  rung?: { epoch: number };
}

/** Main process → worker. */
/** `threads`: how many threads the run's evaluations may use from now on (cores no other run uses). */
export type ToWorker = { type: 'run'; task: RunTask } | { type: 'stop' } | { type: 'threads'; threads: number };

/** Worker → main process. `failed` is a run that threw; a crash is seen as the process's exit. */
export type FromWorker = ProgressMessage | { type: 'outcome'; runId: string; outcome: RunOutcome } | { type: 'failed'; runId: string; message: string };
