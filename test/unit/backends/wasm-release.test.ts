import { describe, expect, it } from 'vitest';
import { loadWasmKernels } from '../../../src/backends/load.ts';
import type { TrainConfig } from '../../../src/core/config.ts';
import { train } from '../../../src/core/train.ts';
import { mnistSubset } from '../../support/mnist.ts';

const config: TrainConfig = {
  layers: [784, 64, 10],
  activations: ['relu', 'softmax'],
  epochs: 1,
  batchSize: 30,
  learningRate: 0.1,
  optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  init: { scheme: 'he', std: 0.1 },
  shuffle: 'epoch',
  historyEvery: 'epoch',
  evalLimit: null,
  seed: 3,
};

describe('wasm backend over many runs in one thread', () => {
  it('reuses its memory after releaseAll, and a reused buffer starts from zero', async () => {
    const kernels = await loadWasmKernels();
    const data = mnistSubset(300, 100);
    const weights: Float32Array[] = [];
    const memorySizes: number[] = [];
    for (let run = 0; run < 5; run++) {
      const result = train(config, data, kernels);
      weights.push(result.network.layers[0]!.W.slice());
      memorySizes.push(kernels.alloc(1).buffer.byteLength); // the memory's size now
      kernels.releaseAll();
    }
    // Adam's moment buffers must start at zero in every run: identical runs prove it.
    for (const w of weights) expect(w).toEqual(weights[0]);
    expect(new Set(memorySizes).size).toBe(1);
  });
});
