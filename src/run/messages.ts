import type { TrainConfig } from '../core/config.ts';
import type { TrainingData } from '../core/dataset.ts';
import type { BackendName } from '../core/kernels/kernels.ts';
import type { MessagePort } from 'node:worker_threads';
import type { BackendChoice } from '../backends/load.ts';
import type { FinalMetrics, HistoryRecord, RunStatus } from '../core/train.ts';
import type { NamedTensor } from '../store/safetensors.ts';

/**
 * What the main thread sends a worker for one run. Plain data: the dataset's arrays are views on
 * SharedArrayBuffers, so they reach the worker without a copy; `stop` is a shared flag the main
 * thread raises on Ctrl-C, read by the worker between iterations.
 */
export interface RunTask {
  runId: string;
  config: TrainConfig;
  data: TrainingData;
  backend: BackendChoice;
  stop: Int32Array;
  /** Where the worker posts ProgressMessages. */
  port: MessagePort;
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
}

/** What a worker returns when a run ends without an exception. */
export interface RunOutcome {
  status: RunStatus;
  message: string | null;
  history: HistoryRecord[];
  final: FinalMetrics;
  iterations: number;
  seconds: number;
  backend: BackendName;
  /** The backend loader's one-line remark, e.g. why it fell back to wasm. */
  backendNote: string | null;
  /** W1, b1, W2, b2, … with W as n_in × n_out. */
  weights: NamedTensor[];
}
