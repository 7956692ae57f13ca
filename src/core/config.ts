import type { Activation } from './kernels/kernels.ts';

/**
 * How the weights of each layer are drawn; see init.ts for each scheme's exact definition.
 * `std` is used by the `normal` scheme only.
 */
export type InitScheme = 'report' | 'normal' | 'he' | 'xavier';
export interface InitConfig {
  scheme: InitScheme;
  std: number;
}

export type OptimizerConfig =
  | { type: 'sgd' }
  | { type: 'momentum'; momentum: number; nesterov: boolean }
  | { type: 'adam'; beta1: number; beta2: number; epsilon: number };

/** `once`: one shuffle before training, the same batches every epoch (the report); `epoch`: reshuffle every epoch. */
export type ShuffleMode = 'once' | 'epoch';

/** A network: `layers` sizes from input to output, one activation per weight layer (the last is softmax). */
export interface ModelConfig {
  layers: readonly number[];
  activations: readonly Activation[];
}

/**
 * Stop when the monitored cost of the history records has not improved by more than `minDelta`
 * for `patience` records in a row; the best record's weights are the run's weights.
 */
export interface EarlyStoppingConfig {
  patience: number;
  minDelta: number;
  metric: 'validation_cost' | 'test_cost';
}

/**
 * How the learning rate changes over a run; schedule.ts defines each exactly. `step` and
 * `exponential` change it once per epoch, `cosine` at every iteration; `warmupEpochs` ramps it up
 * linearly over the first epochs' iterations.
 */
export type LearningRateSchedule = (
  | { type: 'constant' }
  | { type: 'step'; stepEpochs: number; gamma: number }
  | { type: 'exponential'; gamma: number }
  | { type: 'cosine'; minLearningRate: number }
) & { warmupEpochs: number };

/** Everything one training run needs besides the data and the kernels. Plain data, so it crosses threads. */
export interface TrainConfig extends ModelConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerConfig;
  init: InitConfig;
  shuffle: ShuffleMode;
  /** A history record every this many iterations, or at the end of every epoch. */
  historyEvery: number | 'epoch';
  /** History evaluates the first this many images of each set; null evaluates the full sets. */
  evalLimit: number | null;
  seed: number;
  /** Off when absent or null. */
  earlyStopping?: EarlyStoppingConfig | null;
  /**
   * The dropout rate of each hidden layer's output (one per hidden layer, in [0, 1)); inverted
   * dropout while training, none while evaluating. Off when absent or null.
   */
  dropout?: readonly number[] | null;
  /** λ of the L2 penalty on the weights (not the biases); see optimizer.ts. Off when absent or 0. */
  weightDecay?: number;
  /** The learning rate `learningRate` when absent or null. */
  learningRateSchedule?: LearningRateSchedule | null;
}
