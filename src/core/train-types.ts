import type { EarlyStoppingState } from './early-stopping.ts';
import type { Network } from './network.ts';
import type { OptimizerState } from './optimizer.ts';

/** One row of the training history. Costs are mean cross-entropy; accuracies are percentages. */
export interface HistoryRecord {
  iteration: number;
  epoch: number;
  /** Mean of the mini-batch costs since the previous record. */
  trainCost: number;
  trainAccuracy: number;
  testCost: number;
  testAccuracy: number;
  validationCost: number | null;
  validationAccuracy: number | null;
  /** The learning rate of the latest update (the schedule's, see schedule.ts). */
  learningRate: number;
  /** Training time since the start of the run, evaluation included. */
  seconds: number;
}

/** Cost and accuracy (%) of the final network on the full sets; NaN for a stopped run. */
export interface FinalMetrics {
  trainCost: number;
  trainAccuracy: number;
  testCost: number;
  testAccuracy: number;
  validationCost: number | null;
  validationAccuracy: number | null;
}

/** Where a run is; one object, updated in place and passed to onProgress. */
export interface Progress {
  epoch: number;
  epochs: number;
  iteration: number;
  iterations: number;
  /** Mean mini-batch cost since the last history record (NaN right after one). */
  trainCost: number;
  latest: HistoryRecord | null;
}

export type RunStatus = 'completed' | 'diverged' | 'early-stopped' | 'stopped';

export interface TrainResult {
  status: RunStatus;
  /** Why a run did not complete. */
  message: string | null;
  history: HistoryRecord[];
  final: FinalMetrics;
  iterations: number;
  seconds: number;
  network: Network;
  /** With early stopping: the record whose weights the network holds. */
  best: { epoch: number; iteration: number; value: number } | null;
}

export interface TrainHooks {
  /** Called after every iteration with the same, updated object; throttle on the receiving side. */
  onProgress?: (progress: Progress) => void;
  /** Checked before every iteration; true stops the run with status `stopped`. */
  shouldStop?: () => boolean;
  /** Threads an evaluation of a whole set may use now (a core no other run uses); 1 by default. */
  evaluationThreads?: () => number;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

/**
 * A run between two iterations, as plain data: with the same configuration, data and kernels,
 * `new Training(..., state)` continues exactly as the run that took it would have, bit for bit.
 * Arrays are copies, owned by the snapshot.
 */
export interface TrainState {
  /** Iterations done. */
  iteration: number;
  /** The epoch (from 1) and the position in its shuffled order where the next batch starts. */
  epoch: number;
  position: number;
  /** The current epoch's shuffled order of the training rows. */
  order: Uint32Array;
  /** The shuffling generator's state. */
  shuffleRng: number[];
  /** The dropout masks' generator's state; null for a run without dropout. */
  dropoutRng: number[] | null;
  /** W1, b1, W2, b2, … */
  parameters: Float32Array[];
  optimizer: OptimizerState;
  history: HistoryRecord[];
  /** Sum and count of the mini-batch costs since the last history record. */
  costSum: number;
  costCount: number;
  /** Training time so far, evaluation included. */
  seconds: number;
  earlyStopping: EarlyStoppingState | null;
}
