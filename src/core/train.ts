import type { TrainConfig } from './config.ts';
import type { LabelledImages, TrainingData } from './dataset.ts';
import { firstRows, maxLabel } from './dataset.ts';
import { InputRows } from './input-rows.ts';
import type { Kernels } from './kernels/kernels.ts';
import { Network } from './network.ts';
import { createOptimizer } from './optimizer.ts';
import { Rng } from './rng.ts';

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

export type RunStatus = 'completed' | 'diverged' | 'stopped';

export interface TrainResult {
  status: RunStatus;
  /** Why a run did not complete. */
  message: string | null;
  history: HistoryRecord[];
  final: FinalMetrics;
  iterations: number;
  seconds: number;
  network: Network;
}

export interface TrainHooks {
  /** Called after every iteration with the same, updated object; throttle on the receiving side. */
  onProgress?: (progress: Progress) => void;
  /** Checked before every iteration; true stops the run with status `stopped`. */
  shouldStop?: () => boolean;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

/** Rows per forward pass when evaluating whole sets: small enough to stay in cache. */
export const EVAL_CHUNK_ROWS = 256;

/**
 * Trains a network with mini-batch gradient descent on `data.train`, exactly as the reference
 * algorithm describes for `init: report`, `optimizer: sgd`, `shuffle: once`.
 *
 * Batches are cut from a shuffled order of the training rows, the remainder forming a last, smaller
 * batch. A cost that becomes NaN or infinite ends the run with status `diverged`.
 */
export function train(config: TrainConfig, data: TrainingData, kernels: Kernels, hooks: TrainHooks = {}): TrainResult {
  const now = hooks.now ?? (() => performance.now());
  const started = now();
  const { train: trainSet } = data;
  if (trainSet.count === 0) throw new RangeError('the training set is empty');
  if (trainSet.features !== config.layers[0]) {
    throw new RangeError(`the model's input size is ${config.layers[0]} but the images have ${trainSet.features} features`);
  }
  const outputs = config.layers[config.layers.length - 1]!;
  for (const [name, set] of [['training', trainSet], ['test', data.test], ['validation', data.validation]] as const) {
    const label = set ? maxLabel(set) : -1;
    if (label >= outputs) throw new RangeError(`the ${name} set has label ${label}, but the model has only ${outputs} outputs`);
  }

  const maxRows = Math.max(config.batchSize, EVAL_CHUNK_ROWS);
  const network = new Network(kernels, config, maxRows);
  const rng = Rng.fromSeed(config.seed);
  network.initialize(config.init, rng.fork(), config.seed);
  const shuffleRng = rng.fork();
  const optimizer = createOptimizer(
    config.optimizer,
    kernels,
    network.layers.flatMap((l) => [{ value: l.W, gradient: l.dW }, { value: l.b, gradient: l.db }]),
  );

  const input = new InputRows(kernels, maxRows, trainSet.features);
  const order = Uint32Array.from({ length: trainSet.count }, (_, i) => i);
  const batchesPerEpoch = Math.ceil(trainSet.count / config.batchSize);
  const iterations = batchesPerEpoch * config.epochs;
  const historyEvery = config.historyEvery === 'epoch' ? batchesPerEpoch : config.historyEvery;
  const limit = config.evalLimit ?? Infinity;
  const monitored = {
    train: firstRows(trainSet, limit),
    test: firstRows(data.test, limit),
    validation: data.validation ? firstRows(data.validation, limit) : null,
  };

  const history: HistoryRecord[] = [];
  const progress: Progress = { epoch: 0, epochs: config.epochs, iteration: 0, iterations, trainCost: NaN, latest: null };
  let status: RunStatus = 'completed';
  let message: string | null = null;
  let costSum = 0;
  let costCount = 0;
  let iteration = 0;

  const record = (epoch: number): void => {
    const trainEval = evaluateSet(network, monitored.train, input);
    const testEval = evaluateSet(network, monitored.test, input);
    const validationEval = monitored.validation ? evaluateSet(network, monitored.validation, input) : null;
    const entry: HistoryRecord = {
      iteration,
      epoch,
      trainCost: costSum / costCount,
      trainAccuracy: trainEval.accuracy,
      testCost: testEval.cost,
      testAccuracy: testEval.accuracy,
      validationCost: validationEval?.cost ?? null,
      validationAccuracy: validationEval?.accuracy ?? null,
      seconds: (now() - started) / 1000,
    };
    history.push(entry);
    progress.latest = entry;
    costSum = 0;
    costCount = 0;
  };

  training: for (let epoch = 1; epoch <= config.epochs; epoch++) {
    if (epoch === 1 || config.shuffle === 'epoch') shuffleRng.shuffle(order);
    progress.epoch = epoch;
    for (let start = 0; start < trainSet.count; start += config.batchSize) {
      if (hooks.shouldStop?.()) {
        status = 'stopped';
        message = `stopped at iteration ${iteration} of ${iterations}`;
        break training;
      }
      const rows = Math.min(config.batchSize, trainSet.count - start);
      input.gather(trainSet, order, start, rows);
      const cost = network.computeGradients(input.X, input.labels, rows) / rows;
      iteration++;
      costSum += cost;
      costCount++;
      if (!Number.isFinite(cost)) {
        status = 'diverged';
        message = `the training cost became ${cost} at iteration ${iteration} (epoch ${epoch})`;
        record(epoch);
        break training;
      }
      optimizer.step(config.learningRate);
      if (iteration % historyEvery === 0 || iteration === iterations) record(epoch);
      progress.iteration = iteration;
      progress.trainCost = costCount > 0 ? costSum / costCount : NaN;
      hooks.onProgress?.(progress);
    }
  }

  // A stopped run is thrown away, so it skips the final evaluation and ends promptly.
  const skip = status === 'stopped';
  const unevaluated = { cost: NaN, accuracy: NaN };
  const trainFinal = skip ? unevaluated : evaluateSet(network, trainSet, input);
  const testFinal = skip ? unevaluated : evaluateSet(network, data.test, input);
  const validationFinal = data.validation && !skip ? evaluateSet(network, data.validation, input) : null;
  return {
    status,
    message,
    history,
    final: {
      trainCost: trainFinal.cost,
      trainAccuracy: trainFinal.accuracy,
      testCost: testFinal.cost,
      testAccuracy: testFinal.accuracy,
      validationCost: validationFinal?.cost ?? null,
      validationAccuracy: validationFinal?.accuracy ?? null,
    },
    iterations: iteration,
    seconds: (now() - started) / 1000,
    network,
  };
}

/**
 * Mean cost and accuracy (%) of a whole set, in chunks of the network's maxRows copied into the
 * input buffer. An empty set gives NaN.
 */
export function evaluateSet(network: Network, set: LabelledImages, input: InputRows): { cost: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += network.maxRows) {
    const rows = Math.min(network.maxRows, set.count - start);
    input.copyRange(set, start, rows);
    const result = network.evaluate(input.X, input.labels, rows);
    lossSum += result.lossSum;
    correct += result.correct;
  }
  return { cost: lossSum / set.count, accuracy: (100 * correct) / set.count };
}
