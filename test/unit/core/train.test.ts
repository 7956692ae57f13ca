import { describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../../src/core/config.ts';
import { referenceKernels as K } from '../../../src/core/kernels/reference.ts';
import { train, type HistoryRecord } from '../../../src/core/train.ts';
import { mnistSubset } from '../../support/mnist.ts';

const base: TrainConfig = {
  layers: [784, 32, 10],
  activations: ['relu', 'softmax'],
  epochs: 2,
  batchSize: 30,
  learningRate: 0.1,
  optimizer: { type: 'sgd' },
  init: { scheme: 'he', std: 0.1 },
  shuffle: 'epoch',
  historyEvery: 'epoch',
  evalLimit: null,
  seed: 1,
};

const withoutTime = (h: HistoryRecord[]) => h.map(({ seconds: _, ...rest }) => rest);

describe('training on bundled MNIST', () => {
  const data = mnistSubset(3000, 1000);

  it('reaches 80% test accuracy on 3,000 images in 2 epochs', () => {
    const result = train(base, data, K);
    expect(result.status).toBe('completed');
    expect(result.final.testAccuracy).toBeGreaterThan(80);
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(result.history[1]!.trainCost).toBeLessThan(result.history[0]!.trainCost);
  });

  it('is bit-identical for the same seed and differs for another', () => {
    const config = { ...base, epochs: 1 };
    const a = train(config, data, K);
    const b = train(config, data, K);
    expect(withoutTime(b.history)).toEqual(withoutTime(a.history));
    a.network.layers.forEach((l, i) => expect(b.network.layers[i]!.W).toEqual(l.W));
    const c = train({ ...config, seed: 2 }, data, K);
    expect(c.network.layers[0]!.W).not.toEqual(a.network.layers[0]!.W);
    expect(withoutTime(c.history)).not.toEqual(withoutTime(a.history));
  });

  it.each([
    ['[784,10] softmax', [784, 10], ['softmax']],
    ['[784,128,64,10] relu', [784, 128, 64, 10], ['relu', 'relu', 'softmax']],
    ['[784,128,64,10] sigmoid', [784, 128, 64, 10], ['sigmoid', 'sigmoid', 'softmax']],
  ] as const)('trains the report model %s with the report init and shuffling', (_, layers, activations) => {
    // The report's learning rate of 0.01 needs many epochs to leave the initial plateau of the
    // deep models; 1.0 shows learning within two epochs of 1,000 images.
    const result = train({ ...base, layers, activations, learningRate: 1, init: { scheme: 'report', std: 0 }, shuffle: 'once' }, mnistSubset(1000, 200), K);
    expect(result.status).toBe('completed');
    const costs = result.history.map((h) => h.trainCost);
    expect(costs.every(Number.isFinite)).toBe(true);
    expect(costs[costs.length - 1]!).toBeLessThan(costs[0]!);
  });

  it('cuts a remainder batch and records history every N iterations and at the end', () => {
    const result = train({ ...base, epochs: 2, historyEvery: 10 }, mnistSubset(100, 50), K);
    // 100 images in batches of 30: 3 full batches and a remainder of 10, so 4 iterations per epoch.
    expect(result.iterations).toBe(8);
    expect(result.history.map((h) => h.iteration)).toEqual([8]);
    const often = train({ ...base, epochs: 2, historyEvery: 3 }, mnistSubset(100, 50), K);
    expect(often.history.map((h) => [h.iteration, h.epoch])).toEqual([
      [3, 1],
      [6, 2],
      [8, 2],
    ]);
  });

  it('evaluates history on a fixed subset but final metrics on the full sets', () => {
    const result = train({ ...base, epochs: 1, evalLimit: 7 }, data, K);
    // An accuracy over 7 images is a whole number of sevenths.
    const correct = (result.history[0]!.testAccuracy * 7) / 100;
    expect(Math.abs(correct - Math.round(correct))).toBeLessThan(1e-9);
    const accuracy = result.history[0]!.testAccuracy;
    expect(result.final.testAccuracy).not.toBe(accuracy);
  });

  it('takes the final metrics from the last history record when it saw the same weights on the full sets', () => {
    const split = mnistSubset(1000, 100, 200);
    // Counts the passes over whole sets: one softmaxCrossEntropy per 256-row chunk without a gradient.
    let evaluatedChunks = 0;
    const counting = {
      ...K,
      softmaxCrossEntropy: (...args: Parameters<typeof K.softmaxCrossEntropy>) => {
        if (args[4] === null) evaluatedChunks++;
        return K.softmaxCrossEntropy(...args);
      },
    };
    const result = train({ ...base, epochs: 1 }, split, counting);
    // One record (end of the epoch): 800 training rows (4 chunks), 100 test (1), 200 validation (1); nothing more at the end.
    expect(evaluatedChunks).toBe(6);
    const last = result.history.at(-1)!;
    expect(result.final.trainAccuracy).toBe(last.trainAccuracy);
    expect(result.final.testCost).toBe(last.testCost);
    expect(result.final.validationAccuracy).toBe(last.validationAccuracy);
    // The same numbers as evaluating the final network afresh.
    const fresh = train({ ...base, epochs: 1, evalLimit: 50 }, split, K);
    expect(fresh.final).toEqual(result.final);
  });

  it('evaluates a validation split in the history', () => {
    const split = mnistSubset(1000, 100, 200);
    expect(split.train.count).toBe(800);
    expect(split.validation!.count).toBe(200);
    const result = train({ ...base, epochs: 1 }, split, K);
    expect(result.history[0]!.validationAccuracy).toBeGreaterThan(50);
    expect(result.final.validationCost).toBeGreaterThan(0);
  });

  it('ends with status diverged, not an exception, when the cost becomes NaN or infinite', () => {
    // Softmax is computed stably, so only an overflow to ±Infinity in the weights makes the cost NaN.
    const result = train({ ...base, layers: [784, 10], activations: ['softmax'], learningRate: 1e38, epochs: 1 }, mnistSubset(300, 50), K);
    expect(result.status).toBe('diverged');
    expect(result.message).toMatch(/training cost became (NaN|Infinity) at iteration \d+ \(epoch 1\)/);
  });

  it('ends as diverged when the cost rises far above its initial value (1e19 at a learning rate of 1e6)', () => {
    const result = train({ ...base, learningRate: 1e6, epochs: 1 }, mnistSubset(300, 50), K);
    expect(result.status).toBe('diverged');
    expect(result.message).toMatch(
      /training cost (became (NaN|Infinity)|rose to \S+, more than 100× the cost of a uniform guess \(2\.30\)) at iteration \d+ \(epoch 1\)/,
    );
  });

  it('ends as diverged when a weight is NaN, even though relu turns the NaN into 0 and the cost stays finite', () => {
    // After the first update, one first-layer weight becomes NaN; relu hides it from the cost.
    let poisoned = false;
    const kernels = {
      ...K,
      axpy(length: number, alpha: number, x: Float32Array, y: Float32Array) {
        K.axpy(length, alpha, x, y);
        if (!poisoned && length === 784 * 32) {
          y[5] = NaN;
          poisoned = true;
        }
      },
    };
    const result = train({ ...base, epochs: 1, historyEvery: 2 }, mnistSubset(300, 50), kernels);
    expect(result.history[0]!.trainCost).toBeLessThan(10); // finite: the cost alone would not tell
    expect(result.status).toBe('diverged');
    expect(result.message).toBe('W1[5] became non-finite by iteration 2 (epoch 1)');
  });

  it('sizes its buffers by the training set when batch_size is larger', () => {
    let largest = 0;
    const kernels = {
      ...K,
      alloc: (length: number) => {
        largest = Math.max(largest, length);
        return K.alloc(length);
      },
    };
    const result = train({ ...base, batchSize: 100_000_000, epochs: 1 }, mnistSubset(300, 50), kernels);
    expect(result.status).toBe('completed');
    expect(result.iterations).toBe(1);
    expect(largest).toBeLessThanOrEqual(300 * 784);
  });

  it('refuses labels the model has no output for, naming the set', () => {
    expect(() => train({ ...base, layers: [784, 32, 5] }, mnistSubset(300, 50), K)).toThrow(/the training set has label 9, but the model has only 5 outputs/);
  });

  it('stops when asked, and reports progress', () => {
    let calls = 0;
    const result = train({ ...base, epochs: 1 }, mnistSubset(300, 50), K, {
      onProgress: (p) => {
        calls = p.iteration;
      },
      shouldStop: () => calls >= 4,
    });
    expect(result.status).toBe('stopped');
    expect(result.iterations).toBe(4);
  });
});
