import { describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../../src/core/config.ts';
import { DropoutMasks } from '../../../src/core/dropout.ts';
import { ACTIVATIONS, referenceKernels as K } from '../../../src/core/kernels/reference.ts';
import { Network } from '../../../src/core/network.ts';
import { Rng } from '../../../src/core/rng.ts';
import { train } from '../../../src/core/train.ts';
import { mnistSubset } from '../../support/mnist.ts';

const base: TrainConfig = {
  layers: [784, 24, 12, 10],
  activations: ['sigmoid', 'relu', 'softmax'],
  epochs: 2,
  batchSize: 25,
  learningRate: 0.1,
  optimizer: { type: 'sgd' },
  init: { scheme: 'he', std: 0.1 },
  shuffle: 'epoch',
  historyEvery: 'epoch',
  evalLimit: null,
  seed: 3,
};
const data = mnistSubset(200, 80);

describe('dropout masks', () => {
  it('drop a fraction p of the units and scale the others by 1/(1 − p): the expected output is unchanged', () => {
    const net = new Network(K, { layers: [4, 1000, 500, 2], activations: ['relu', 'relu', 'softmax'] }, 200);
    const rates = [0.3, 0.6];
    const dropout = new DropoutMasks(K, net, rates, Rng.fromSeed(5));
    const masks = dropout.draw(200);
    expect(masks[2]).toBeNull();
    rates.forEach((p, l) => {
      const mask = masks[l]!;
      const n = 200 * net.layers[l]!.nOut;
      const scale = Math.fround(1 / (1 - p));
      let zeros = 0;
      let others = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        if (mask[i] === 0) zeros++;
        else if (mask[i] !== scale) others++;
        sum += mask[i]!;
      }
      expect(others).toBe(0);
      // Binomial: the fraction dropped within 5 standard deviations of p, the mean within 5 of 1.
      const sd = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(zeros / n - p)).toBeLessThan(5 * sd);
      expect(Math.abs(sum / n - 1)).toBeLessThan((5 * sd) / (1 - p));
    });
  });

  it('come from their own seeded stream: the same seed draws the same masks, another seed others', () => {
    const net = new Network(K, { layers: [4, 50, 2], activations: ['tanh', 'softmax'] }, 10);
    const draw = (seed: number) => Array.from(new DropoutMasks(K, net, [0.5], Rng.fromSeed(seed)).draw(10)[0]!);
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('refuse rates outside [0, 1) and a rate count that is not the hidden layer count', () => {
    const net = new Network(K, { layers: [4, 5, 6, 2], activations: ['relu', 'relu', 'softmax'] }, 10);
    expect(() => new DropoutMasks(K, net, [0.5], Rng.fromSeed(1))).toThrow(/1 dropout rates for 2 hidden layers/);
    expect(() => new DropoutMasks(K, net, [0.5, 1], Rng.fromSeed(1))).toThrow(/\[0, 1\)/);
  });
});

describe('training with dropout', () => {
  it('changes the run, and the same seed repeats it bit for bit', () => {
    const dropped = train({ ...base, dropout: [0.5, 0.2] }, data, K);
    expect(train({ ...base, dropout: [0.5, 0.2] }, data, K).history.map((h) => h.testCost)).toEqual(dropped.history.map((h) => h.testCost));
    expect(dropped.final.testCost).not.toBe(train(base, data, K).final.testCost);
  });

  it('with every rate 0 is exactly the run without dropout', () => {
    const plain = train(base, data, K);
    const zero = train({ ...base, dropout: [0, 0] }, data, K);
    expect(zero.final).toEqual(plain.final);
    expect(Array.from(zero.network.layers[0]!.W)).toEqual(Array.from(plain.network.layers[0]!.W));
  });

  it('is off when evaluating: the final test cost is that of the plain network, computed here in float64', () => {
    const result = train({ ...base, dropout: [0.9, 0.9] }, data, K);
    const { layers } = result.network;
    const test = data.test;
    let lossSum = 0;
    for (let r = 0; r < test.count; r++) {
      let a: number[] = Array.from(test.images.subarray(r * 784, (r + 1) * 784), (v) => v / 255);
      for (const layer of layers) {
        const z = Array.from({ length: layer.nOut }, (_, j) => {
          let s = layer.b[j]!;
          for (let i = 0; i < layer.nIn; i++) s += a[i]! * layer.W[i * layer.nOut + j]!;
          return s;
        });
        a = layer.activation === 'softmax' ? z : z.map(ACTIVATIONS[layer.activation]);
      }
      const max = Math.max(...a);
      lossSum += Math.log(a.reduce((s, z) => s + Math.exp(z - max), 0)) + max - a[test.labels[r]!]!;
    }
    expect(result.final.testCost).toBeCloseTo(lossSum / test.count, 4);
  });
});
