import { describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../../src/core/config.ts';
import { rowRange } from '../../../src/core/dataset.ts';
import { referenceKernels as K } from '../../../src/core/kernels/reference.ts';
import { Training, train, type HistoryRecord, type TrainResult } from '../../../src/core/train.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/store/checkpoint.ts';
import { mnistSubset } from '../../support/mnist.ts';

const base: TrainConfig = {
  layers: [784, 16, 10],
  activations: ['tanh', 'softmax'],
  epochs: 3,
  batchSize: 32,
  learningRate: 0.05,
  optimizer: { type: 'sgd' },
  init: { scheme: 'he', std: 0.1 },
  shuffle: 'epoch',
  historyEvery: 4,
  evalLimit: 50,
  seed: 7,
};
const data = mnistSubset(250, 60);
const withoutTime = (h: HistoryRecord[]) => h.map(({ seconds: _, ...rest }) => rest);

/** Trains with a snapshot/restore (through the checkpoint bytes) after each of `cuts` iterations. */
function trainWithRestarts(config: TrainConfig, cuts: number[], d = data): TrainResult {
  let training = new Training(config, d, K);
  for (const cut of cuts) {
    training.advance(() => training.iterationsDone >= cut);
    if (training.done) break;
    const bytes = encodeCheckpoint({ origin: { runId: 'r', mlpLabVersion: '0', kernels: 'js' }, writtenAt: '', state: training.snapshot() });
    training = new Training(config, d, K, {}, decodeCheckpoint(bytes).state);
  }
  training.advance(() => false);
  return training.finish();
}

function expectSame(a: TrainResult, b: TrainResult): void {
  expect(b.status).toBe(a.status);
  expect(withoutTime(b.history)).toEqual(withoutTime(a.history));
  expect(b.final).toEqual(a.final);
  expect(b.iterations).toBe(a.iterations);
  a.network.layers.forEach((l, i) => {
    expect(b.network.layers[i]!.W).toEqual(l.W);
    expect(b.network.layers[i]!.b).toEqual(l.b);
  });
}

describe('resuming a run from a snapshot', () => {
  // 250 images in batches of 32: 8 iterations per epoch, the last batch of 26; 24 in all.
  it.each([
    ['sgd, reshuffled every epoch', base],
    ['momentum (nesterov), shuffled once', { ...base, optimizer: { type: 'momentum', momentum: 0.9, nesterov: true }, shuffle: 'once' }],
    ['adam, history every epoch', { ...base, optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, historyEvery: 'epoch' }],
    // The cuts at 1, 4 and 7 fall in the warmup (the first 2 epochs, 16 iterations), 16 at its end.
    ['dropout, momentum with weight decay', { ...base, dropout: [0.4], weightDecay: 1e-3, optimizer: { type: 'momentum', momentum: 0.9, nesterov: false } }],
    [
      'cosine schedule with warmup, adam with decoupled weight decay',
      {
        ...base,
        learningRateSchedule: { type: 'cosine', minLearningRate: 1e-3, warmupEpochs: 2 },
        weightDecay: 1e-2,
        optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      },
    ],
    [
      'dropout and a step schedule with warmup, shuffled once',
      {
        ...base,
        dropout: [0.5],
        shuffle: 'once',
        learningRateSchedule: { type: 'step', stepEpochs: 1, gamma: 0.5, warmupEpochs: 1 },
      },
    ],
  ] as const)('is bit-identical to an uninterrupted run: %s', (_, config: TrainConfig) => {
    const whole = train(config, data, K);
    // Cuts mid-epoch, at an epoch's end (8, 16), right after a history record (4, 12) and at the first iteration.
    expectSame(whole, trainWithRestarts(config, [1, 4, 7, 8, 12, 13, 16, 23]));
  });

  it('keeps a diverged run diverged', () => {
    const config: TrainConfig = { ...base, layers: [784, 10], activations: ['softmax'], learningRate: 1e38 };
    expectSame(train(config, data, K), trainWithRestarts(config, [1]));
  });

  it('refuses a snapshot without the dropout generator for a run with dropout', () => {
    const training = new Training(base, data, K);
    training.advance(() => training.iterationsDone >= 3);
    expect(() => new Training({ ...base, dropout: [0.5] }, data, K, {}, training.snapshot())).toThrow(/no dropout generator/);
  });

  it('refuses a snapshot of another model', () => {
    const training = new Training(base, data, K);
    training.advance(() => training.iterationsDone >= 3);
    expect(() => new Training({ ...base, layers: [784, 20, 10] }, data, K, {}, training.snapshot())).toThrow(/does not match/);
  });
});

describe('early stopping', () => {
  const split = { train: rowRange(data.train, 0, 200), test: data.test, validation: rowRange(data.train, 200, 250) };
  const config: TrainConfig = {
    ...base,
    epochs: 30,
    learningRate: 0.5,
    historyEvery: 'epoch',
    earlyStopping: { patience: 2, minDelta: 0, metric: 'validation_cost' },
  };

  it('stops after `patience` records without improvement and keeps the best weights', () => {
    const result = train(config, split, K);
    expect(result.status).toBe('early-stopped');
    const costs = result.history.map((h) => h.validationCost!);
    const bestIndex = costs.indexOf(Math.min(...costs));
    expect(result.best).toEqual({ epoch: result.history[bestIndex]!.epoch, iteration: result.history[bestIndex]!.iteration, value: costs[bestIndex] });
    expect(costs.length).toBe(bestIndex + 1 + 2);
    expect(result.history.length).toBeLessThan(30);
    // The final metrics are those of the best weights: the validation cost on the full (50-image) set equals the record's.
    expect(result.final.validationCost).toBe(costs[bestIndex]);
  });

  it('resumes bit-identically, best weights included', () => {
    expectSame(train(config, split, K), trainWithRestarts(config, [3, 7, 20, 33], split));
  });

  it('needs a validation set to watch its cost', () => {
    expect(() => train(config, data, K)).toThrow(/validation set/);
  });
});
