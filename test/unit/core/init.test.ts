import { describe, expect, it } from 'vitest';
import type { InitConfig } from '../../../src/core/config.ts';
import { initializeLayer } from '../../../src/core/init.ts';
import { referenceKernels } from '../../../src/core/kernels/reference.ts';
import { Network } from '../../../src/core/network.ts';
import { Rng } from '../../../src/core/rng.ts';

const [nIn, nOut] = [784, 128];
const N = nIn * nOut;

function stats(values: Float32Array): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

function draw(config: InitConfig, seed = 7) {
  const W = new Float32Array(N);
  const b = new Float32Array(nOut).fill(NaN);
  initializeLayer(config, nIn, nOut, W, b, Rng.fromSeed(seed), seed);
  return { W, b };
}

// Claimed mean and standard deviation of W for each scheme. With 100,352 draws the sample mean
// lies within 4 standard errors (4σ/√N) and the sample std within 2% of the claim.
const CLAIMS: [InitConfig['scheme'], number, number][] = [
  ['report', 0.005, 0.01 / Math.sqrt(12)],
  ['normal', 0, 0.1],
  ['he', 0, Math.sqrt(2 / nIn)],
  ['xavier', 0, Math.sqrt(6 / (nIn + nOut)) / Math.sqrt(3)],
];

describe('initialisation schemes', () => {
  it.each(CLAIMS)('%s has the mean and spread it claims', (scheme, mean, std) => {
    const { W } = draw({ scheme, std: 0.1 });
    const s = stats(W);
    expect(Math.abs(s.mean - mean)).toBeLessThan((4 * std) / Math.sqrt(N));
    expect(Math.abs(s.std / std - 1)).toBeLessThan(0.02);
  });

  it('report draws biases uniform[0,1) × √(1/n_in), the others zero', () => {
    const { b } = draw({ scheme: 'report', std: 0 });
    const scale = Math.sqrt(1 / nIn);
    expect(b.every((v) => v >= 0 && v < scale)).toBe(true);
    expect(Math.abs(stats(b).mean - scale / 2)).toBeLessThan((4 * scale) / Math.sqrt(12 * nOut));
    for (const scheme of ['normal', 'he', 'xavier'] as const) expect(draw({ scheme, std: 0.1 }).b.every((v) => v === 0)).toBe(true);
  });

  it('report weights are all positive (the report code, not its prose)', () => {
    const { W } = draw({ scheme: 'report', std: 0 }, 42);
    expect(W.every((v) => v >= 0 && v < 0.01)).toBe(true);
  });

  it('report re-seeds per layer, as the report re-seeded numpy with 42: layers start with the same draws', () => {
    const net = new Network(referenceKernels, { layers: [784, 16, 8, 10], activations: ['relu', 'relu', 'softmax'] }, 1);
    const shared = Rng.fromSeed(1);
    net.initialize({ scheme: 'report', std: 0 }, shared, 42);
    const [first, second] = net.layers;
    expect(second!.W.subarray(0, 100)).toEqual(first!.W.subarray(0, 100));
    expect(shared.uniform()).toBe(Rng.fromSeed(1).uniform()); // the run's shared stream is untouched
    const he = new Network(referenceKernels, net.model, 1);
    he.initialize({ scheme: 'he', std: 0 }, Rng.fromSeed(1), 42);
    expect(he.layers[1]!.W.subarray(0, 100)).not.toEqual(he.layers[0]!.W.subarray(0, 100));
  });

  it('the same seed gives the same weights, another seed others', () => {
    expect(draw({ scheme: 'he', std: 0 }, 1).W).toEqual(draw({ scheme: 'he', std: 0 }, 1).W);
    expect(draw({ scheme: 'he', std: 0 }, 1).W).not.toEqual(draw({ scheme: 'he', std: 0 }, 2).W);
  });
});
