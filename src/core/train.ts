import type { TrainConfig } from './config.ts';
import type { LabelledImages, TrainingData } from './dataset.ts';
import { firstRows, maxLabel } from './dataset.ts';
import { InputRows } from './input-rows.ts';
import type { Kernels } from './kernels/kernels.ts';
import { Network } from './network.ts';
import { EarlyStopping } from './early-stopping.ts';
import { createOptimizer, type Optimizer } from './optimizer.ts';
import { Rng } from './rng.ts';
import { DropoutMasks } from './dropout.ts';
import { learningRateAt, type ScheduleShape } from './schedule.ts';
import type { FinalMetrics, HistoryRecord, Progress, RunStatus, TrainHooks, TrainResult, TrainState } from './train-types.ts';
import { costDivergence, nonFiniteParameter } from './divergence.ts';
import { EVAL_CHUNK_ROWS, evaluateSet, type Evaluated } from './evaluate.ts';

export { EVAL_CHUNK_ROWS, evaluateSet } from './evaluate.ts';
export type { FinalMetrics, HistoryRecord, Progress, RunStatus, TrainHooks, TrainResult, TrainState } from './train-types.ts';

/**
 * Trains a network with mini-batch gradient descent on `data.train`, exactly as the reference
 * algorithm describes for `init: report`, `optimizer: sgd`, `shuffle: once`. The whole run at once;
 * use Training to run it in slices, snapshot it and resume it.
 */
export function train(config: TrainConfig, data: TrainingData, kernels: Kernels, hooks: TrainHooks = {}): TrainResult {
  const training = new Training(config, data, kernels, hooks);
  training.advance(() => false);
  return training.finish();
}

/**
 * One training run, advanced in slices. Batches are cut from a shuffled order of the training
 * rows, the remainder forming a last, smaller batch. A run ends with status `diverged` when a
 * mini-batch cost becomes NaN or infinite or rises above DIVERGENCE_FACTOR times the cost of a
 * uniform guess (ln of the number of classes, about where every run starts), or when a weight is
 * NaN or infinite at a history record; with early stopping, a plateau of the monitored cost ends it with
 * `early-stopped`, and the network then holds the best record's weights.
 */
export class Training {
  readonly network: Network;
  readonly iterations: number;
  private readonly now: () => number;
  private started: number;
  private readonly shuffleRng: Rng;
  private readonly optimizer: Optimizer;
  private readonly dropout: DropoutMasks | null;
  private readonly schedule: ScheduleShape;
  private readonly input: InputRows;
  private readonly order: Uint32Array;
  private readonly batchesPerEpoch: number;
  private readonly historyEvery: number;
  private readonly monitored: { train: LabelledImages; test: LabelledImages; validation: LabelledImages | null };
  private readonly earlyStopping: EarlyStopping | null;
  private readonly history: HistoryRecord[] = [];
  readonly progress: Progress;
  private status: RunStatus | null = null;
  private message: string | null = null;
  private costSum = 0;
  private costCount = 0;
  private iteration = 0;
  private epoch = 1;
  private position = 0;
  /**
   * The full-set evaluations of the latest history record and the iteration they were made at: the
   * final evaluation of a run whose last record saw the same weights on the same sets is that one,
   * so it is not computed twice (a twelfth of the report job's evaluation).
   */
  private evaluated: { iteration: number; sets: FullSetEvaluations } | null = null;

  constructor(
    readonly config: TrainConfig,
    readonly data: TrainingData,
    readonly kernels: Kernels,
    private readonly hooks: TrainHooks = {},
    resume: TrainState | null = null,
  ) {
    this.now = hooks.now ?? (() => performance.now());
    this.started = this.now();
    const { train: trainSet } = data;
    if (trainSet.count === 0) throw new RangeError('the training set is empty');
    if (trainSet.features !== config.layers[0]) {
      throw new RangeError(`the model's input size is ${config.layers[0]} but the images have ${trainSet.features} features`);
    }
    const outputs = config.layers[config.layers.length - 1]!;
    for (const [name, set] of [
      ['training', trainSet],
      ['test', data.test],
      ['validation', data.validation],
    ] as const) {
      const label = set ? maxLabel(set) : -1;
      if (label >= outputs) throw new RangeError(`the ${name} set has label ${label}, but the model has only ${outputs} outputs`);
    }
    if (config.earlyStopping?.metric === 'validation_cost' && !data.validation) {
      throw new RangeError('early stopping on validation_cost needs a validation set');
    }

    // A batch never holds more rows than the training set: a batch_size of 10^8 must not size buffers by it.
    const maxRows = Math.max(Math.min(config.batchSize, trainSet.count), EVAL_CHUNK_ROWS);
    this.network = new Network(kernels, config, maxRows);
    const rng = Rng.fromSeed(config.seed);
    this.network.initialize(config.init, rng.fork(), config.seed);
    const shuffleRng = rng.fork();
    // A third stream, so that the first two (and so every run without dropout) are unchanged.
    const dropoutRng = rng.fork();
    this.optimizer = createOptimizer(
      config.optimizer,
      kernels,
      this.network.layers.flatMap((l) => [
        { value: l.W, gradient: l.dW, decays: true },
        { value: l.b, gradient: l.db },
      ]),
      config.weightDecay ?? 0,
    );
    const dropping = config.dropout?.some((p) => p > 0) ? config.dropout : null;
    if (dropping && resume && !resume.dropoutRng) throw new RangeError('the training state has no dropout generator, but this run has dropout');
    this.dropout = dropping ? new DropoutMasks(kernels, this.network, dropping, resume?.dropoutRng ? Rng.fromState(resume.dropoutRng) : dropoutRng) : null;
    this.input = new InputRows(kernels, maxRows, trainSet.features);
    this.order = Uint32Array.from({ length: trainSet.count }, (_, i) => i);
    this.batchesPerEpoch = Math.ceil(trainSet.count / config.batchSize);
    this.iterations = this.batchesPerEpoch * config.epochs;
    this.schedule = { learningRate: config.learningRate, batchesPerEpoch: this.batchesPerEpoch, iterations: this.iterations };
    this.historyEvery = config.historyEvery === 'epoch' ? this.batchesPerEpoch : config.historyEvery;
    const limit = config.evalLimit ?? Infinity;
    this.monitored = {
      train: firstRows(trainSet, limit),
      test: firstRows(data.test, limit),
      validation: data.validation ? firstRows(data.validation, limit) : null,
    };
    this.earlyStopping = config.earlyStopping ? new EarlyStopping(config.earlyStopping) : null;
    this.progress = { epoch: 1, epochs: config.epochs, iteration: 0, iterations: this.iterations, trainCost: NaN, latest: null };

    if (resume) {
      this.shuffleRng = Rng.fromState(resume.shuffleRng);
      this.restore(resume);
    } else {
      this.shuffleRng = shuffleRng;
      this.shuffleRng.shuffle(this.order);
    }
  }

  /** True once the run has ended (all iterations, diverged or early-stopped); stopping is the caller's. */
  get done(): boolean {
    return this.status !== null;
  }

  /** Iterations done so far. */
  get iterationsDone(): number {
    return this.iteration;
  }

  /**
   * Trains until the run ends or `pause()` (asked before each iteration) returns true. The run can
   * be advanced again, snapshotted or finished after a pause.
   */
  advance(pause: () => boolean): void {
    const { config, network, input, order, hooks, progress } = this;
    const trainSet = this.data.train;
    while (this.status === null) {
      if (pause()) return;
      if (hooks.shouldStop?.()) {
        this.status = 'stopped';
        this.message = `stopped at iteration ${this.iteration} of ${this.iterations}`;
        return;
      }
      const epoch = this.epoch;
      progress.epoch = epoch;
      const rows = Math.min(config.batchSize, trainSet.count - this.position);
      input.gather(trainSet, order, this.position, rows);
      const masks = this.dropout?.draw(rows) ?? null;
      const cost = network.computeGradients(input.X, input.labels, rows, masks) / rows;
      this.iteration++;
      this.costSum += cost;
      this.costCount++;
      this.position += rows;
      const divergence = costDivergence(cost, config.layers[config.layers.length - 1]!);
      if (divergence !== null) {
        this.status = 'diverged';
        this.message = `the training cost ${divergence} at iteration ${this.iteration} (epoch ${epoch})`;
        this.record(epoch);
        return;
      }
      this.optimizer.step(this.learningRate());
      const recording = this.iteration % this.historyEvery === 0 || this.iteration === this.iterations;
      // relu maps NaN to 0, so NaN weights can leave the cost finite: look at the weights themselves.
      const broken = recording ? nonFiniteParameter(network) : null;
      if (broken !== null) {
        this.status = 'diverged';
        this.message = `${broken} became non-finite by iteration ${this.iteration} (epoch ${epoch})`;
        this.record(epoch);
        return;
      }
      if (recording && this.record(epoch) && this.iteration < this.iterations) {
        this.status = 'early-stopped';
        const best = this.earlyStopping!.state;
        this.message = `no improvement of ${config.earlyStopping!.metric} for ${config.earlyStopping!.patience} records; best at epoch ${best.bestEpoch}`;
        return;
      }
      if (this.position >= trainSet.count) {
        this.epoch++;
        this.position = 0;
        // The next epoch's order is drawn here, so that a snapshot between epochs holds it.
        if (this.epoch <= config.epochs && config.shuffle === 'epoch') this.shuffleRng.shuffle(order);
        if (this.epoch > config.epochs) this.status = 'completed';
      }
      progress.iteration = this.iteration;
      progress.trainCost = this.costCount > 0 ? this.costSum / this.costCount : NaN;
      hooks.onProgress?.(progress);
    }
  }

  /**
   * The network's cost and accuracy on the whole training, test and validation sets as it is now,
   * without ending the run: a pruner's rung, after which the run may be snapshotted and go on.
   * Changes nothing that training reads.
   */
  evaluateNow(): FinalMetrics {
    const { network, input, data } = this;
    const threads = this.hooks.evaluationThreads?.() ?? 1;
    const reusable = this.evaluated?.iteration === this.iteration ? this.evaluated.sets : null;
    const train = reusable?.train ?? evaluateSet(network, data.train, input, threads);
    const test = reusable?.test ?? evaluateSet(network, data.test, input, threads);
    const validation = data.validation ? (reusable?.validation ?? evaluateSet(network, data.validation, input, threads)) : null;
    return {
      trainCost: train.cost,
      trainAccuracy: train.accuracy,
      testCost: test.cost,
      testAccuracy: test.accuracy,
      validationCost: validation?.cost ?? null,
      validationAccuracy: validation?.accuracy ?? null,
    };
  }

  /** Marks the run as stopped (by its caller), so that finish() skips the final evaluation. */
  stop(): void {
    if (this.status !== null) return;
    this.status = 'stopped';
    this.message = `stopped at iteration ${this.iteration} of ${this.iterations}`;
  }

  /** The run as plain data (copies); see TrainState. */
  snapshot(): TrainState {
    const es = this.earlyStopping?.state ?? null;
    return {
      iteration: this.iteration,
      epoch: this.epoch,
      position: this.position,
      order: this.order.slice(),
      shuffleRng: this.shuffleRng.state(),
      dropoutRng: this.dropout?.rngState() ?? null,
      parameters: this.parameters().map((p) => p.slice()),
      optimizer: this.optimizer.exportState(),
      history: this.history.map((h) => ({ ...h })),
      costSum: this.costSum,
      costCount: this.costCount,
      seconds: this.seconds(),
      earlyStopping: es && { ...es, bestParameters: es.bestParameters.map((p) => p.slice()) },
    };
  }

  /**
   * Ends the run: the final evaluation on the full sets (skipped for a stopped run, which is thrown
   * away, so that it ends promptly). With early stopping, the network first takes the best weights.
   */
  finish(): TrainResult {
    if (this.status === null) this.stop();
    const { network, input, data } = this;
    const best = this.earlyStopping?.state;
    const threads = this.hooks.evaluationThreads?.() ?? 1;
    let reusable = this.evaluated?.iteration === this.iteration ? this.evaluated.sets : null;
    if (best && best.bestValue !== null && this.status !== 'stopped' && this.status !== 'diverged') {
      this.parameters().forEach((p, i) => p.set(best.bestParameters[i]!));
      reusable = null;
    }
    const skip = this.status === 'stopped';
    const unevaluated = { cost: NaN, accuracy: NaN };
    const trainFinal = skip ? unevaluated : (reusable?.train ?? evaluateSet(network, data.train, input, threads));
    const testFinal = skip ? unevaluated : (reusable?.test ?? evaluateSet(network, data.test, input, threads));
    const validationFinal = data.validation && !skip ? (reusable?.validation ?? evaluateSet(network, data.validation, input, threads)) : null;
    return {
      status: this.status!,
      message: this.message,
      history: this.history,
      final: {
        trainCost: trainFinal.cost,
        trainAccuracy: trainFinal.accuracy,
        testCost: testFinal.cost,
        testAccuracy: testFinal.accuracy,
        validationCost: validationFinal?.cost ?? null,
        validationAccuracy: validationFinal?.accuracy ?? null,
      },
      iterations: this.iteration,
      seconds: this.seconds(),
      network,
      best: best && best.bestValue !== null ? { epoch: best.bestEpoch, iteration: best.bestIteration, value: best.bestValue } : null,
    };
  }

  private parameters(): Float32Array[] {
    return this.network.layers.flatMap((l) => [l.W, l.b]);
  }

  /** The rate of the latest update (iteration is the count of updates so far, the current one included). */
  private learningRate(): number {
    return learningRateAt(this.config.learningRateSchedule, this.schedule, this.iteration - 1);
  }

  /** Training time so far, evaluation included, counting the attempts before a resume. */
  seconds(): number {
    return (this.now() - this.started) / 1000;
  }

  /** Appends a history record; returns true when early stopping says to stop. */
  private record(epoch: number): boolean {
    const { network, input, monitored } = this;
    const threads = this.hooks.evaluationThreads?.() ?? 1;
    const trainEval = evaluateSet(network, monitored.train, input, threads);
    const testEval = evaluateSet(network, monitored.test, input, threads);
    const validationEval = monitored.validation ? evaluateSet(network, monitored.validation, input, threads) : null;
    const entry: HistoryRecord = {
      iteration: this.iteration,
      epoch,
      trainCost: this.costSum / this.costCount,
      trainAccuracy: trainEval.accuracy,
      testCost: testEval.cost,
      testAccuracy: testEval.accuracy,
      validationCost: validationEval?.cost ?? null,
      validationAccuracy: validationEval?.accuracy ?? null,
      learningRate: this.learningRate(),
      seconds: this.seconds(),
    };
    this.history.push(entry);
    const whole = (set: LabelledImages | null, full: LabelledImages | null) => set?.count === full?.count;
    this.evaluated =
      whole(monitored.train, this.data.train) && whole(monitored.test, this.data.test) && whole(monitored.validation, this.data.validation)
        ? { iteration: this.iteration, sets: { train: trainEval, test: testEval, validation: validationEval } }
        : null;
    this.progress.latest = entry;
    this.costSum = 0;
    this.costCount = 0;
    return this.earlyStopping?.observe(entry, this.parameters()) ?? false;
  }

  private restore(state: TrainState): void {
    const parameters = this.parameters();
    if (
      state.order.length !== this.order.length ||
      state.parameters.length !== parameters.length ||
      state.parameters.some((p, i) => p.length !== parameters[i]!.length)
    ) {
      throw new RangeError('the training state does not match this model and data');
    }
    if (state.epoch < 1 || state.epoch > this.config.epochs || state.position >= this.order.length || state.iteration >= this.iterations) {
      throw new RangeError('the training state is not between two iterations of this run');
    }
    parameters.forEach((p, i) => p.set(state.parameters[i]!));
    this.optimizer.importState(state.optimizer);
    this.order.set(state.order);
    this.iteration = state.iteration;
    this.epoch = state.epoch;
    this.position = state.position;
    this.history.push(...state.history.map((h) => ({ ...h })));
    this.costSum = state.costSum;
    this.costCount = state.costCount;
    this.started = this.now() - state.seconds * 1000;
    if (this.earlyStopping && state.earlyStopping) {
      this.earlyStopping.state = { ...state.earlyStopping, bestParameters: state.earlyStopping.bestParameters.map((p) => p.slice()) };
    }
    this.progress.epoch = this.epoch;
    this.progress.iteration = this.iteration;
    this.progress.latest = this.history[this.history.length - 1] ?? null;
  }
}

/** A network's cost and accuracy on the whole training, test and validation sets. */
interface FullSetEvaluations {
  train: Evaluated;
  test: Evaluated;
  validation: Evaluated | null;
}
