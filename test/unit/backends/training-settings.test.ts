/**
 * Model 2 of the report with dropout, weight decay and a learning-rate schedule, one epoch on a
 * subset of the bundled MNIST with every backend. The masks are drawn in the core from the run's
 * seed, so every backend drops the same units; what differs is float32 rounding (see
 * training.test.ts), hence the same tolerances against the js reference. Each backend alone is
 * bit-deterministic.
 */
import { describe, expect } from 'vitest';
import type { TrainConfig } from '../../../src/core/config.ts';
import { train, type TrainResult } from '../../../src/core/train.ts';
import { loadDataset } from '../../../src/data/load.ts';
import { backendCases, itFor, kernelsOf } from '../kernels/backends.ts';

const base: Omit<TrainConfig, 'optimizer'> = {
  layers: [784, 128, 64, 10],
  activations: ['relu', 'relu', 'softmax'],
  epochs: 1,
  batchSize: 30,
  learningRate: 0.1,
  init: { scheme: 'he', std: 0.1 },
  shuffle: 'once',
  historyEvery: 'epoch',
  evalLimit: null,
  seed: 42,
  dropout: [0.2, 0.1],
};
const CONFIGS: Record<string, TrainConfig> = {
  'sgd, coupled weight decay, cosine with warmup': {
    ...base,
    optimizer: { type: 'sgd' },
    weightDecay: 1e-3,
    learningRateSchedule: { type: 'cosine', minLearningRate: 0.01, warmupEpochs: 0 },
  },
  'adam, decoupled weight decay, step schedule': {
    ...base,
    learningRate: 1e-3,
    optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    weightDecay: 1e-2,
    learningRateSchedule: { type: 'step', stepEpochs: 1, gamma: 0.5, warmupEpochs: 0 },
  },
};
const ACCURACY_TOLERANCE = 1.0; // percentage points
const COST_TOLERANCE = 0.02; // relative

// 1,500 training images: 50 batches.
const data = loadDataset({ files: 'mnist', trainLimit: 1500, testLimit: 1000, validation: 0 });
const cases = await backendCases();
const reference = new Map<string, TrainResult>();

describe.each(Object.keys(CONFIGS))('model 2 with dropout: %s', (name) => {
  const config = CONFIGS[name]!;
  const referenceResult = () => reference.get(name) ?? reference.set(name, train(config, data, cases[0]!.kernels!)).get(name)!;

  describe.each(cases)('on $label', (c) => {
    const test = itFor(c);
    test(`is bit-deterministic and within ${ACCURACY_TOLERANCE} point of the js reference`, () => {
      const kernels = kernelsOf(c);
      const mine = train(config, data, kernels);
      expect(mine.status).toBe('completed');
      expect(mine.final.testAccuracy).toBeGreaterThan(60);
      if (c.label === 'js') {
        expect(train(config, data, kernels).final).toEqual(mine.final);
        reference.set(name, mine);
        return;
      }
      expect(train(config, data, kernels).final).toEqual(mine.final);
      const js = referenceResult();
      expect(Math.abs(mine.final.testAccuracy - js.final.testAccuracy)).toBeLessThanOrEqual(ACCURACY_TOLERANCE);
      expect(Math.abs(mine.final.trainCost / js.final.trainCost - 1)).toBeLessThanOrEqual(COST_TOLERANCE);
    });
  });
});
