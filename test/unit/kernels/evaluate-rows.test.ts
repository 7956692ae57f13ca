/**
 * Kernels.evaluateRows (native, its first layer's product read from the bytes by gemmBytes)
 * against the core's chunk-by-chunk evaluateSet with the same kernels, each chunk unpacked to
 * floats and multiplied by gemm: the same cost and accuracy bit for bit, on one thread or several
 * (chunks spread over threads, their sums added in chunk order), for every hidden activation, a
 * remainder chunk, a one-layer model and a network holding NaN weights. The wasm backends'
 * chunk-by-chunk evaluation whose first layer reads the bytes (gemmBytes) against the same with
 * each chunk unpacked first.
 */
import { describe, expect } from 'vitest';
import type { Activation, Kernels } from '../../../src/core/kernels/kernels.ts';
import { InputRows } from '../../../src/core/input-rows.ts';
import { Network } from '../../../src/core/network.ts';
import { evaluateSet } from '../../../src/core/evaluate.ts';
import { Rng } from '../../../src/core/rng.ts';
import { mnistSubset } from '../../support/mnist.ts';
import { backendCases, itFor, kernelsOf } from './backends.ts';

const cases = await backendCases();
const natives = cases.filter((c) => c.label.startsWith('native'));
const chunkedFromBytes = cases.filter((c) => c.label.startsWith('wasm'));

const MODELS: [string, number[], Activation[]][] = [
  ['[784,10] softmax', [784, 10], ['softmax']],
  ['[784,128,64,10] relu', [784, 128, 64, 10], ['relu', 'relu', 'softmax']],
  ['[784,33,10] sigmoid', [784, 33, 10], ['sigmoid', 'softmax']],
  ['[784,17,9,10] tanh', [784, 17, 9, 10], ['tanh', 'tanh', 'softmax']],
];

describe.each(natives)('$label evaluateRows', (c) => {
  const test = itFor(c);
  // 1,000 rows: three chunks of 256 and a remainder of 232; 300-row chunks for a batch of 300.
  const data = mnistSubset(1000, 10);

  test.each(MODELS)('%s: the chunk-by-chunk numbers, bit for bit, on 1, 2 and 3 threads', (_, layers, activations) => {
    const kernels = kernelsOf(c);
    expect(kernels.evaluateRows).toBeDefined();
    const chunked: Kernels = { ...kernels, evaluateRows: undefined, unpackRows: undefined, gemmBytes: undefined };
    for (const maxRows of [256, 300]) {
      const network = new Network(kernels, { layers, activations }, maxRows);
      network.initialize({ scheme: 'he', std: 0 }, Rng.fromSeed(layers.length), 3);
      const reference = new Network(chunked, { layers, activations }, maxRows);
      reference.layers.forEach((l, i) => {
        l.W.set(network.layers[i]!.W);
        l.b.set(network.layers[i]!.b);
      });
      const expected = evaluateSet(reference, data.train, new InputRows(chunked, maxRows, 784));
      expect(expected.cost).toBeGreaterThan(0);
      for (const threads of [1, 2, 3]) {
        expect(evaluateSet(network, data.train, new InputRows(kernels, maxRows, 784), threads)).toEqual(expected);
      }
    }
  });

  test('a NaN weight gives the chunk-by-chunk NaN cost and accuracy', () => {
    const kernels = kernelsOf(c);
    const chunked: Kernels = { ...kernels, evaluateRows: undefined, unpackRows: undefined, gemmBytes: undefined };
    const model = { layers: [784, 20, 10], activations: ['relu', 'softmax'] as Activation[] };
    const network = new Network(kernels, model, 256);
    network.initialize({ scheme: 'he', std: 0 }, Rng.fromSeed(9), 9);
    network.layers[1]!.W[5] = NaN;
    const reference = new Network(chunked, model, 256);
    reference.layers.forEach((l, i) => {
      l.W.set(network.layers[i]!.W);
      l.b.set(network.layers[i]!.b);
    });
    const expected = evaluateSet(reference, data.train, new InputRows(chunked, 256, 784));
    expect(evaluateSet(network, data.train, new InputRows(kernels, 256, 784), 2)).toEqual(expected);
  });

  test('refuses labels the model has no output for, and buffers too short', () => {
    const kernels = kernelsOf(c);
    expect(kernels.evaluateRows).toBeDefined();
    const network = new Network(kernels, { layers: [784, 5], activations: ['softmax'] }, 256);
    const layers = network.layers.map(({ W, b, nIn, nOut, activation }) => ({ W, b, nIn, nOut, activation }));
    expect(() => kernels.evaluateRows!(layers, data.train.images as Uint8Array, data.train.labels, 100, 256, 1)).toThrow(RangeError);
    expect(() => kernels.evaluateRows!(layers, (data.train.images as Uint8Array).subarray(0, 783), data.train.labels, 1, 256, 1)).toThrow(RangeError);
  });
});

describe.each(chunkedFromBytes)('$label evaluateSet from bytes', (c) => {
  const test = itFor(c);
  const data = mnistSubset(1000, 10);

  test.each(MODELS)('%s: the first layer from bytes (gemmBytes) gives the numbers of unpacked chunks, bit for bit', (_, layers, activations) => {
    const kernels = kernelsOf(c);
    expect(kernels.gemmBytes).toBeDefined();
    const unpacked: Kernels = { ...kernels, gemmBytes: undefined };
    for (const maxRows of [256, 300]) {
      const network = new Network(kernels, { layers, activations }, maxRows);
      network.initialize({ scheme: 'he', std: 0 }, Rng.fromSeed(layers.length), 3);
      const reference = new Network(unpacked, { layers, activations }, maxRows);
      reference.layers.forEach((l, i) => {
        l.W.set(network.layers[i]!.W);
        l.b.set(network.layers[i]!.b);
      });
      const expected = evaluateSet(reference, data.train, new InputRows(unpacked, maxRows, 784));
      expect(expected.cost).toBeGreaterThan(0);
      expect(evaluateSet(network, data.train, new InputRows(kernels, maxRows, 784))).toEqual(expected);
    }
  });
});
