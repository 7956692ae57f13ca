import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { searchSpace } from '../../../src/search/index.ts';
import type { CategoricalMixture, NumericMixture } from '../../../src/search/parzen.ts';
import { estimator, jointLogDensity, type Observation } from '../../../src/search/tpe.ts';

/**
 * Our Parzen estimators against Optuna 5's on the same observations: the reference values are
 * test/fixtures/search/optuna-parzen.json, written by optuna-parzen.py beside it (Optuna's
 * _ParzenEstimator with TPESampler's defaults). Equal weights, means, bandwidths and densities
 * mean that l(x) and g(x), and so the ratio TPE ranks its candidates by, are Optuna's.
 */

interface Case {
  observations: Record<string, number>[];
  weights: number[];
  kernels: { x: Kernels; rate: Kernels; width: Kernels; optimizer: { probabilities: number[][] } };
  points: Record<string, number>[];
  logDensities: number[];
}
interface Kernels {
  mus: number[];
  sigmas: number[];
}

const reference = JSON.parse(readFileSync('test/fixtures/search/optuna-parzen.json', 'utf8')) as { optuna: string; cases: Case[] };
const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop', 'adagrad'];
const space = searchSpace([
  { name: 'x', kind: 'uniform', low: -5, high: 10 },
  { name: 'rate', kind: 'log_uniform', low: 1e-4, high: 1 },
  { name: 'width', kind: 'int_uniform', low: 1, high: 1000 },
  { name: 'optimizer', kind: 'choice', values: OPTIMIZERS },
]);
/** A value as TPE works with it: the logarithm of a log_uniform one, the index of a choice (as the fixture has it). */
const internal = (name: string, value: number) => (name === 'rate' ? Math.log(value) : value);

describe(`Parzen estimators equal to Optuna ${reference.optuna}'s (TPESampler defaults)`, () => {
  it.each(reference.cases.map((c) => [c.observations.length, c] as const))('%i observations', (_, c) => {
    const observations: Observation[] = c.observations.map((o, trial) => ({
      trial,
      configuration: { ...o, optimizer: OPTIMIZERS[o.optimizer!] },
      loss: 0,
      rung: 0,
    }));
    const mixtures = space.dimensions.map((d) => estimator(d, observations));
    space.dimensions.forEach((d, i) => {
      const mixture = mixtures[i]!;
      for (const [k, w] of c.weights.entries()) expect(mixture.weights[k]).toBeCloseTo(w, 14);
      if (d.name === 'optimizer') {
        const probabilities = (mixture as CategoricalMixture).probabilities;
        c.kernels.optimizer.probabilities.forEach((row, k) => {
          for (const [j, p] of row.entries()) expect(probabilities[k]![j]).toBeCloseTo(p, 14);
        });
        return;
      }
      const numeric = mixture as NumericMixture;
      const expected = c.kernels[d.name as 'x' | 'rate' | 'width'];
      expect(numeric.mus).toHaveLength(expected.mus.length);
      expected.mus.forEach((mu, k) => {
        expect(numeric.mus[k]).toBeCloseTo(mu, 12);
        expect(numeric.sigmas[k]).toBeCloseTo(expected.sigmas[k]!, 12);
      });
    });
    c.points.forEach((point, p) => {
      const x = space.dimensions.map((d) => internal(d.name, point[d.name]!));
      expect(jointLogDensity(mixtures, x)).toBeCloseTo(c.logDensities[p]!, 10);
    });
  });
});
