import path from 'node:path';
import type { ExperimentFile, RunConfig } from '../experiment/index.ts';

/**
 * A resolved run written back as an experiment file that expands to exactly that run: its settings
 * under `defaults:`, no grid, no variants. This is what a queued job carries, so that a worker
 * checks it with the very schema and expansion a file goes through, and recomputes its run id.
 *
 * Data files (IDX, CSV, .npy) are named by their base name only: each worker looks for them in its
 * own data folder (and checks their sha256, and a CSV's options, against the run's).
 */
export function runDocument(config: RunConfig, name: string): ExperimentFile {
  const d = config.dataset;
  const dataset = {
    source: d.source,
    train_limit: d.train_limit,
    test_limit: d.test_limit,
    validation: d.validation,
    ...(d.source === 'idx'
      ? {
          train_images: path.basename(d.train_images),
          train_labels: path.basename(d.train_labels),
          test_images: path.basename(d.test_images),
          test_labels: path.basename(d.test_labels),
        }
      : {}),
    ...(d.source === 'csv'
      ? {
          train: path.basename(d.train),
          ...(d.test === null ? {} : { test: path.basename(d.test) }),
          ...(d.split === null ? {} : { split: { ...d.split } }),
          label: d.label,
          features: d.features === 'all' ? ('all' as const) : [...d.features],
          categorical: [...d.categorical],
          standardize: d.standardize,
          missing: d.missing,
          delimiter: d.delimiter,
        }
      : {}),
    ...(d.source === 'npy'
      ? {
          train_x: path.basename(d.train_x),
          train_y: path.basename(d.train_y),
          test_x: path.basename(d.test_x),
          test_y: path.basename(d.test_y),
        }
      : {}),
  };
  const o = config.optimizer;
  const optimizer =
    o.type === 'momentum'
      ? { optimizer: o.type, momentum: o.momentum, nesterov: o.nesterov }
      : o.type === 'adam'
        ? { optimizer: o.type, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon }
        : { optimizer: o.type };
  return {
    name,
    dataset,
    defaults: {
      layers: [...config.layers],
      activations: [...config.activations],
      epochs: config.epochs,
      batch_size: config.batch_size,
      learning_rate: config.learning_rate,
      ...optimizer,
      init: config.init.scheme,
      ...(config.init.std === null ? {} : { init_std: config.init.std }),
      shuffle: config.shuffle,
      history: { every: config.history.every, eval_limit: config.history.eval_limit },
      seed: config.seed,
      ...(config.early_stopping ? { early_stopping: { ...config.early_stopping } } : {}),
      ...(config.dropout ? { dropout: [...config.dropout] } : {}),
      ...(config.weight_decay ? { weight_decay: config.weight_decay } : {}),
      ...(config.lr_schedule ? scheduleSettings(config.lr_schedule) : {}),
      backend: config.backend,
      checkpoint: { every: config.checkpoint.every },
    },
  };
}

/** A run's schedule as the file's flat keys. */
function scheduleSettings(schedule: NonNullable<RunConfig['lr_schedule']>): Record<string, number | string> {
  const own: Record<string, number> =
    schedule.type === 'step'
      ? { lr_step_epochs: schedule.step_epochs, lr_gamma: schedule.gamma }
      : schedule.type === 'exponential'
        ? { lr_gamma: schedule.gamma }
        : schedule.type === 'cosine'
          ? { min_lr: schedule.min_lr }
          : {};
  return { lr_schedule: schedule.type, warmup_epochs: schedule.warmup_epochs, ...own };
}
