import type { InitConfig } from './config.ts';
import { Rng } from './rng.ts';

/**
 * Fills one dense layer's parameters. W: nIn × nOut (row-major), b: nOut.
 *
 * - `report`: the course report's code, as it ran. Before each layer the generator is re-seeded
 *   with the run's seed (the report re-seeded numpy with 42 per layer), then
 *   W = uniform[0, 1) × 0.01 (small and all positive, not zero-mean) and b = uniform[0, 1) × √(1/nIn).
 * - `normal`: W ~ N(0, std²), b = 0. With std = 0.1 this is the report's prose ("mean 0, variance 0.01").
 * - `he`: W ~ N(0, 2/nIn), b = 0 (He et al. 2015, for ReLU layers).
 * - `xavier`: W ~ uniform(−a, a) with a = √(6/(nIn + nOut)), b = 0 (Glorot & Bengio 2010, for sigmoid/tanh).
 *
 * `rng` is the run's shared stream for every scheme but `report`, which uses `seed` instead.
 */
export function initializeLayer(config: InitConfig, nIn: number, nOut: number, W: Float32Array, b: Float32Array, rng: Rng, seed: number): void {
  switch (config.scheme) {
    case 'report': {
      const layerRng = Rng.fromSeed(seed);
      for (let i = 0; i < nIn * nOut; i++) W[i] = layerRng.uniform() * 0.01;
      const scale = Math.sqrt(1 / nIn);
      for (let j = 0; j < nOut; j++) b[j] = layerRng.uniform() * scale;
      return;
    }
    case 'normal':
      fillNormal(W, nIn * nOut, config.std, rng);
      b.fill(0, 0, nOut);
      return;
    case 'he':
      fillNormal(W, nIn * nOut, Math.sqrt(2 / nIn), rng);
      b.fill(0, 0, nOut);
      return;
    case 'xavier': {
      const a = Math.sqrt(6 / (nIn + nOut));
      for (let i = 0; i < nIn * nOut; i++) W[i] = (2 * rng.uniform() - 1) * a;
      b.fill(0, 0, nOut);
      return;
    }
  }
}

function fillNormal(out: Float32Array, length: number, std: number, rng: Rng): void {
  for (let i = 0; i < length; i++) out[i] = rng.normal() * std;
}
