import type { ProblemCode } from '../errors.ts';
import path from 'node:path';
import type { InitScheme, ShuffleMode } from '../core/config.ts';
import type { Activation, BackendName } from '../core/kernels/kernels.ts';
import type { DatasetInfo } from './dataset-info.ts';
import type { RunConfig, RunDataset, RunOptimizer, RunSchedule } from './run-config.ts';
import type { ParameterName } from './schema.ts';
import { originOf, settingValue, type Finding, type Origin, type Settings } from './settings.ts';
import type { NodePath } from './source.ts';

/**
 * Stage 3b: one merged set of settings becomes a RunConfig, after the checks the schema cannot
 * express because they involve several settings or the data: layer counts against activations,
 * softmax only last, the first and last layer against the dataset, the validation split.
 * `anchor` is where to point when a needed value is missing (the variant, or `defaults`).
 */
export function resolveRun(settings: Settings, data: DatasetInfo, anchor: NodePath): { config: RunConfig | null; findings: Finding[] } {
  const findings: Finding[] = [];
  const place = (name: ParameterName): Origin => {
    const origin = originOf(settings, name);
    return origin.kind === 'default' ? { kind: 'file', path: anchor } : origin;
  };
  const fail = (code: ProblemCode, name: ParameterName, message: string, at?: NodePath, hint?: string) =>
    findings.push({ code, severity: 'error', origin: place(name), at, message, hint });
  const get = <T>(name: ParameterName) => settingValue(settings, name) as T;

  const written = get<(number | 'auto')[] | undefined>('layers');
  if (written === undefined) {
    findings.push({
      code: 'missing-key',
      severity: 'error',
      origin: { kind: 'file', path: anchor },
      key: anchor.length > 0,
      message: anchor[0] === 'variants' ? 'this variant has no `layers`' : 'no `layers`: the experiment defines no model',
      hint: 'give the layer sizes in `defaults:` or in every variant, e.g. `layers: [784, 128, 10]`',
    });
    return { config: null, findings };
  }
  // `auto` takes the data's input width first and its class count last; nowhere else has it a meaning.
  const layers = written.map((size, i) => (size !== 'auto' ? size : i === 0 ? data.features : i === written.length - 1 ? data.classes : NaN));
  written.forEach((size, i) => {
    if (size === 'auto' && i > 0 && i < written.length - 1) {
      fail(
        'bad-layer',
        'layers',
        `\`auto\` can only be the first size (the input width) or the last (the class count); a hidden layer needs a number of units`,
        [i],
      );
    }
  });
  const shown = `[${layers.join(',')}]`;
  const needed = layers.length - 1;
  let activations: Activation[];
  if (settings.has('activations')) {
    activations = get<Activation[]>('activations');
    if (activations.length !== needed) {
      fail(
        'activation-count',
        'activations',
        `activations has ${activations.length} ${activations.length === 1 ? 'entry' : 'entries'} but layers ${shown} needs ${needed}`,
        undefined,
        'one activation per weight layer: one fewer than the layer sizes',
      );
    }
    activations.forEach((activation, i) => {
      if (activation === 'softmax' && i < activations.length - 1) {
        fail('softmax-position', 'activations', 'softmax can only be the last activation (the output layer)', [i]);
      }
    });
    const last = activations.length - 1;
    if (activations[last] !== 'softmax' && activations.length === needed) {
      fail(
        'softmax-position',
        'activations',
        `the last activation must be softmax, got ${activations[last]}`,
        [last],
        'the output layer is always softmax with cross-entropy',
      );
    }
  } else {
    const hidden = get<Activation>('activation');
    activations = [...Array<Activation>(needed - 1).fill(hidden), 'softmax'];
  }

  if (layers[0] !== data.features && !Number.isNaN(layers[0])) {
    const has = data.inputs === 'inputs' ? `encodes to ${data.features} inputs` : `images have ${data.features} pixels`;
    fail(
      'layer-mismatch',
      'layers',
      `the first layer has ${layers[0]} units but ${data.name} ${has}`,
      [0],
      `start the layers with ${data.features}${data.table ? ' (or `auto`)' : ''}`,
    );
  }
  if (layers[layers.length - 1] !== data.classes && !Number.isNaN(layers[layers.length - 1])) {
    // The classes come from the labels: for IDX files, name the labels file, not the images.
    const labels = data.idx ? `the labels of ${path.basename(data.idx.paths.train_labels)}` : data.name;
    fail(
      'layer-mismatch',
      'layers',
      `the last layer has ${layers[layers.length - 1]} units but ${labels} ${data.idx ? 'have' : 'has'} ${data.classes} classes`,
      [layers.length - 1],
      `end the layers with ${data.classes}${data.table ? ' (or `auto`)' : ''}`,
    );
  }

  const trainLimit = get<number | null>('dataset.train_limit');
  // A limit beyond the data would train on all of it under a run id of its own: the same run twice.
  for (const [key, limit, available, set] of [
    ['dataset.train_limit', trainLimit, data.trainImages, 'training'],
    ['dataset.test_limit', get<number | null>('dataset.test_limit'), data.testImages, 'test'],
  ] as const) {
    if (limit !== null && limit > available) {
      fail(
        'bad-split',
        key,
        `${key.slice('dataset.'.length)} is ${limit}, but ${data.name} has ${available.toLocaleString('en-US')} ${set} ${data.inputs === 'inputs' ? 'rows' : 'images'}`,
        undefined,
        `use at most ${available}, or null for all of them`,
      );
    }
  }
  const validation = get<number>('dataset.validation');
  const trainAvailable = Math.min(trainLimit ?? Infinity, data.trainImages);
  if (validation >= trainAvailable) {
    const what = data.inputs === 'inputs' ? 'rows' : 'images';
    fail('bad-split', 'dataset.validation', `validation holds out ${validation} ${what}, leaving none of the ${trainAvailable} training ${what} to train on`);
  }

  // Training counts its iterations in a double: past 2^53 the count, the schedule and the plan are wrong.
  const epochs = get<number>('epochs');
  const iterations = epochs * Math.ceil(Math.max(1, trainAvailable - validation) / get<number>('batch_size'));
  if (!Number.isSafeInteger(iterations)) {
    fail(
      'too-large',
      'epochs',
      `${epochs} epochs make ${iterations.toExponential(2)} iterations, more than can be counted exactly (2^53)`,
      undefined,
      'fewer epochs: a run would not end in any case',
    );
  }

  // `repeats:` adds k to the seed: past 2^53 the seed cannot be held exactly, and the core refuses it.
  const seed = get<number>('seed');
  if (!Number.isSafeInteger(seed)) {
    fail(
      'out-of-range',
      'seed',
      `a repeat's seed would be ${seed}, beyond the largest exact integer (2^53 - 1)`,
      undefined,
      'a smaller `seed`, or fewer `repeats`',
    );
  }

  if (get<number | null>('early_stopping.patience') !== null && get<string>('early_stopping.metric') === 'validation_cost' && validation === 0) {
    fail(
      'no-validation-set',
      'early_stopping.metric',
      'early stopping watches validation_cost, but there is no validation set',
      undefined,
      'hold out images with `dataset: {validation: 5000}`, or set `early_stopping: {metric: test_cost}`',
    );
  }

  const dropout = get<number | number[]>('dropout');
  if (Array.isArray(dropout) && dropout.length !== needed - 1) {
    fail(
      'dropout-count',
      'dropout',
      `dropout has ${dropout.length} ${dropout.length === 1 ? 'rate' : 'rates'} but layers ${shown} ${needed - 1 === 1 ? 'has 1 hidden layer' : `have ${needed - 1} hidden layers`}`,
      undefined,
      'one rate per hidden layer, or a single number for all of them',
    );
  }
  const warmup = get<number>('warmup_epochs');
  if (warmup > 0 && warmup >= epochs) {
    fail(
      'bad-schedule',
      'warmup_epochs',
      `warmup_epochs is ${warmup}, but the run has only ${epochs} ${epochs === 1 ? 'epoch' : 'epochs'}`,
      undefined,
      'a warmup shorter than the run, so that the schedule itself has epochs to act on',
    );
  }
  if (get<string>('lr_schedule') === 'cosine' && get<number>('min_lr') >= get<number>('learning_rate')) {
    fail(
      'bad-schedule',
      'min_lr',
      `min_lr ${get<number>('min_lr')} is not below learning_rate ${get<number>('learning_rate')}: the cosine schedule goes down to it`,
      undefined,
      'a floor below the learning rate, e.g. `min_lr: 0`',
    );
  }

  if (findings.length > 0) return { config: null, findings };
  return { config: buildConfig(settings, data, layers, activations), findings };
}

function buildConfig(settings: Settings, data: DatasetInfo, layers: number[], activations: Activation[]): RunConfig {
  const get = <T>(name: ParameterName) => settingValue(settings, name) as T;
  const common = {
    train_limit: get<number | null>('dataset.train_limit'),
    test_limit: get<number | null>('dataset.test_limit'),
    validation: get<number>('dataset.validation'),
  };
  const dataset: RunDataset = data.table
    ? { ...structuredClone(data.table), ...common }
    : data.idx
      ? { source: 'idx', ...data.idx.paths, sha256: { ...data.idx.sha256 }, ...common }
      : { source: 'mnist', ...common };
  const optimizerType = get<RunOptimizer['type']>('optimizer');
  const optimizer: RunOptimizer =
    optimizerType === 'momentum'
      ? { type: 'momentum', momentum: get('momentum'), nesterov: get('nesterov') }
      : optimizerType === 'adam'
        ? { type: 'adam', beta1: get('beta1'), beta2: get('beta2'), epsilon: get('epsilon') }
        : { type: 'sgd' };
  const scheme = get<InitScheme>('init');
  const patience = get<number | null>('early_stopping.patience');
  const rates = dropoutRates(get<number | number[]>('dropout'), layers.length - 2);
  const weightDecay = get<number>('weight_decay');
  const schedule = runSchedule(settings);
  return {
    dataset,
    layers: [...layers],
    activations,
    epochs: get('epochs'),
    batch_size: get('batch_size'),
    learning_rate: get('learning_rate'),
    optimizer,
    init: { scheme, std: scheme === 'normal' ? get<number>('init_std') : null },
    shuffle: get<ShuffleMode>('shuffle'),
    history: { every: get<number | 'epoch'>('history.every'), eval_limit: get<number | null>('history.eval_limit') },
    seed: get('seed'),
    ...(patience === null
      ? {}
      : {
          early_stopping: {
            patience,
            min_delta: get<number>('early_stopping.min_delta'),
            metric: get<'validation_cost' | 'test_cost'>('early_stopping.metric'),
          },
        }),
    // Each only when it differs from its default, so that no run of before these settings changes id.
    ...(rates.some((p) => p > 0) ? { dropout: rates } : {}),
    ...(weightDecay > 0 ? { weight_decay: weightDecay } : {}),
    ...(schedule ? { lr_schedule: schedule } : {}),
    backend: get<'auto' | BackendName>('backend'),
    checkpoint: { every: get<number | string>('checkpoint.every') },
  };
}

/** One rate per hidden layer: a single number is every hidden layer's (none without hidden layers). */
function dropoutRates(dropout: number | number[], hidden: number): number[] {
  return Array.isArray(dropout) ? [...dropout] : Array<number>(hidden).fill(dropout);
}

/** The schedule with only its own settings; null for the default (constant, no warmup). */
function runSchedule(settings: Settings): RunSchedule | null {
  const get = <T>(name: ParameterName) => settingValue(settings, name) as T;
  const type = get<RunSchedule['type']>('lr_schedule');
  const warmup_epochs = get<number>('warmup_epochs');
  switch (type) {
    case 'constant':
      return warmup_epochs > 0 ? { type, warmup_epochs } : null;
    case 'step':
      return { type, step_epochs: get('lr_step_epochs'), gamma: get('lr_gamma'), warmup_epochs };
    case 'exponential':
      return { type, gamma: get('lr_gamma'), warmup_epochs };
    case 'cosine':
      return { type, min_lr: get('min_lr'), warmup_epochs };
  }
}
