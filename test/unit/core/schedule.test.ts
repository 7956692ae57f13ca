import { describe, expect, it } from 'vitest';
import type { LearningRateSchedule, TrainConfig } from '../../../src/core/config.ts';
import { referenceKernels as K } from '../../../src/core/kernels/reference.ts';
import { learningRateAt } from '../../../src/core/schedule.ts';
import { train } from '../../../src/core/train.ts';
import { mnistSubset } from '../../support/mnist.ts';

// 10 batches per epoch, 5 epochs: 50 iterations.
const shape = { learningRate: 0.1, batchesPerEpoch: 10, iterations: 50 };
const rate = (schedule: LearningRateSchedule | null, t: number) => learningRateAt(schedule, shape, t);

describe('learning-rate schedules', () => {
  it('constant, or none: η at every update', () => {
    for (const t of [0, 9, 10, 49]) {
      expect(rate(null, t)).toBe(0.1);
      expect(rate({ type: 'constant', warmupEpochs: 0 }, t)).toBe(0.1);
    }
  });

  it('step: ×γ every stepEpochs epochs, constant within an epoch', () => {
    const step: LearningRateSchedule = { type: 'step', stepEpochs: 2, gamma: 0.5, warmupEpochs: 0 };
    // Epochs 1-2 (t 0..19): η; 3-4 (t 20..39): η/2; 5 (t 40..49): η/4.
    expect([0, 19, 20, 39, 40, 49].map((t) => rate(step, t))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  });

  it('exponential: η·γ^e in the 0-based epoch e', () => {
    const exponential: LearningRateSchedule = { type: 'exponential', gamma: 0.9, warmupEpochs: 0 };
    expect(rate(exponential, 5)).toBe(0.1);
    expect(rate(exponential, 15)).toBeCloseTo(0.09, 15);
    expect(rate(exponential, 49)).toBeCloseTo(0.1 * 0.9 ** 4, 15);
  });

  it('cosine: per iteration from η down to min_lr, half-way at the middle', () => {
    const cosine: LearningRateSchedule = { type: 'cosine', minLearningRate: 0.01, warmupEpochs: 0 };
    expect(rate(cosine, 0)).toBe(0.1);
    expect(rate(cosine, 25)).toBeCloseTo(0.055, 15);
    expect(rate(cosine, 49)).toBeCloseTo(0.01 + 0.045 * (1 + Math.cos((Math.PI * 49) / 50)), 15);
    expect(rate(cosine, 26)).toBeLessThan(rate(cosine, 25));
  });

  it("warmup: a linear ramp over the first warmupEpochs epochs to the schedule's rate, cosine starting after it", () => {
    const warm: LearningRateSchedule = { type: 'cosine', minLearningRate: 0, warmupEpochs: 1 };
    expect([0, 4, 9].map((t) => rate(warm, t))).toEqual([0.01, 0.05, 0.1].map((r) => expect.closeTo(r, 15)));
    // The cosine spans the 40 iterations after warmup: at t = 10 it starts at η, at t = 30 it is half-way.
    expect(rate(warm, 10)).toBe(0.1);
    expect(rate(warm, 30)).toBeCloseTo(0.05, 15);
    const stepped: LearningRateSchedule = { type: 'step', stepEpochs: 1, gamma: 0.5, warmupEpochs: 2 };
    // Epoch 2 is within the warmup and already stepped: the ramp multiplies the step schedule's rate.
    expect(rate(stepped, 14)).toBeCloseTo(0.05 * (15 / 20), 15);
  });
});

describe('training with a schedule', () => {
  const data = mnistSubset(100, 40);
  const config: TrainConfig = {
    layers: [784, 10],
    activations: ['softmax'],
    epochs: 3,
    batchSize: 25,
    learningRate: 0.2,
    optimizer: { type: 'sgd' },
    init: { scheme: 'he', std: 0.1 },
    shuffle: 'epoch',
    historyEvery: 2,
    evalLimit: null,
    seed: 1,
  };

  it('records the learning rate of the latest update in the history', () => {
    const schedule: LearningRateSchedule = { type: 'step', stepEpochs: 1, gamma: 0.5, warmupEpochs: 0 };
    const result = train({ ...config, learningRateSchedule: schedule }, data, K);
    // 4 iterations per epoch, a record every 2: iterations 2, 4 (epoch 1), 6, 8 (epoch 2), 10, 12 (epoch 3).
    expect(result.history.map((h) => h.learningRate)).toEqual([0.2, 0.2, 0.1, 0.1, 0.05, 0.05]);
    expect(train(config, data, K).history.map((h) => h.learningRate)).toEqual(Array(6).fill(0.2));
  });

  it('changes the updates: a schedule gives other weights than the constant rate', () => {
    const schedule: LearningRateSchedule = { type: 'cosine', minLearningRate: 0, warmupEpochs: 1 };
    const scheduled = train({ ...config, learningRateSchedule: schedule }, data, K);
    expect(Array.from(scheduled.network.layers[0]!.W)).not.toEqual(Array.from(train(config, data, K).network.layers[0]!.W));
  });
});
