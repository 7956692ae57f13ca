import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, normalQuantile } from '../../../src/search/normal.ts';
import { categoricalEstimator, logDensity, numericEstimator, observationWeights } from '../../../src/search/parzen.ts';
import { SobolSequence } from '../../../src/search/sobol.ts';
import { configurationAt, configurationKey, searchSpace, spaceSize, valueAt, type Dimension } from '../../../src/search/space.ts';
import { goodCount, splitObservations } from '../../../src/search/tpe.ts';

describe('the space', () => {
  it.each([
    [{ name: 'a', kind: 'uniform', low: 0, high: 0.99 }, 0.5, 0.495],
    [{ name: 'a', kind: 'log_uniform', low: 1e-3, high: 1e-1 }, 0.5, 0.01],
    [{ name: 'a', kind: 'log_uniform', low: 1e-3, high: 1e-1 }, 1 - 2 ** -53, 0.1],
    [{ name: 'a', kind: 'int_uniform', low: 1, high: 20 }, 0, 1],
    [{ name: 'a', kind: 'int_uniform', low: 1, high: 20 }, 0.999999, 20],
    [{ name: 'a', kind: 'choice', values: [16, 32, 64] }, 1 / 3, 32],
    [{ name: 'a', kind: 'choice', values: [16, 32, 64] }, 1 - 2 ** -53, 64],
  ] as [Dimension, number, unknown][])('%o at u = %d is %o', (d, u, value) => {
    expect(valueAt(d, u)).toBe(value);
  });

  it('rounds continuous values to 10 significant digits, inside the range, so equal configurations are equal', () => {
    const d: Dimension = { name: 'a', kind: 'log_uniform', low: 0.001, high: 0.5 };
    const x = valueAt(d, 0.123456789) as number;
    expect(String(x).replace(/^0\.0*/, '').length).toBeLessThanOrEqual(10);
    expect(configurationKey({ b: [784, 10], a: x })).toBe(configurationKey({ a: valueAt(d, 0.123456789), b: [784, 10] }));
    expect(Object.is(valueAt({ name: 'a', kind: 'uniform', low: -1, high: 0 }, 1 - 2 ** -60), 0)).toBe(true);
  });

  it('sorts dimensions by name, so that the order of keys in the file does not matter', () => {
    const a = searchSpace([
      { name: 'momentum', kind: 'uniform', low: 0, high: 1 },
      { name: 'batch_size', kind: 'choice', values: [1, 2] },
    ]);
    expect(a.dimensions.map((d) => d.name)).toEqual(['batch_size', 'momentum']);
    expect(configurationAt(a, [0.9, 0.25])).toEqual({ batch_size: 2, momentum: 0.25 });
    expect(spaceSize(a)).toBe(Infinity);
  });

  it.each([
    [{ name: 'a', kind: 'uniform', low: 1, high: 1 }, /empty/],
    [{ name: 'a', kind: 'uniform', low: 2, high: 1 }, /reversed/],
    [{ name: 'a', kind: 'log_uniform', low: 0, high: 1 }, /> 0/],
    [{ name: 'a', kind: 'int_uniform', low: 3, high: 2 }, /reversed/],
    [{ name: 'a', kind: 'choice', values: [] }, /at least one/],
  ] as [Dimension, RegExp][])('refuses %o', (d, message) => {
    expect(() => searchSpace([d])).toThrow(message);
  });
});

describe('Sobol points', () => {
  // scipy.stats.qmc.Sobol(d=32, scramble=False, bits=32), points 1, 2, 3, 5, 100, 1023 in dimensions 1, 2, 3, 10, 21, 32.
  const SCIPY = [
    [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
    [0.75, 0.25, 0.25, 0.75, 0.25, 0.25],
    [0.25, 0.75, 0.75, 0.25, 0.75, 0.75],
    [0.875, 0.875, 0.125, 0.125, 0.625, 0.625],
    [0.4140625, 0.2578125, 0.7734375, 0.6953125, 0.7578125, 0.4140625],
    [0.0009765625, 0.7529296875, 0.6123046875, 0.8505859375, 0.8662109375, 0.6142578125],
  ];

  it("unscrambled, match scipy's (the same Joe & Kuo table)", () => {
    const sobol = new SobolSequence(32);
    expect([1, 2, 3, 5, 100, 1023].map((i) => [0, 1, 2, 9, 20, 31].map((d) => sobol.point(i)[d]))).toEqual(SCIPY);
    expect(sobol.point(0)).toEqual(new Array(32).fill(0));
  });

  it('refuses a 33rd dimension', () => {
    expect(() => new SobolSequence(33)).toThrow(RangeError);
  });
});

describe('normal distribution', () => {
  // scipy.stats.norm.ppf / scipy.special.erfc.
  it.each([
    [0.975, 1.959963984540054],
    [1e-10, -6.361340902404056],
    [0.3, -0.5244005127080409],
    [1 - 1e-6, 4.753424308817088],
  ])('Φ⁻¹(%d) = %d', (p, x) => {
    expect(normalQuantile(p)).toBeCloseTo(x, 13);
  });

  it('keeps its digits in the tails', () => {
    expect(erfc(10) / 2.0884875837625446e-45).toBeCloseTo(1, 13);
    expect(normalCdf(normalQuantile(1e-300)) / 1e-300).toBeCloseTo(1, 12);
  });
});

/** ∫ exp(logDensity) over [low, high] by the midpoint rule. */
function integral(m: ReturnType<typeof numericEstimator>, low: number, high: number): number {
  const n = 20_000;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logDensity(m, low + ((i + 0.5) * (high - low)) / n));
  return (sum * (high - low)) / n;
}

describe('Parzen estimators', () => {
  it("bandwidths are the larger distance to a neighbour, the prior between them, clipped (Optuna's univariate rule)", () => {
    // Sorted between the endpoints: [0, 1, 2, 9, 10]; without endpoint bandwidths σ(1) = 2 − 1 and
    // σ(9) = 9 − 2, σ(2) = max(1, 7); then clipped to at least 10 / min(100, 1 + 4) = 2.
    const m = numericEstimator([9, 1, 2], 0, 10, 0);
    expect(m.mus).toEqual([9, 1, 2, 5]);
    expect(m.sigmas).toEqual([7, 2, 7, 10]);
    // One observation: the larger distance to an endpoint.
    expect(numericEstimator([3], 0, 10, 0).sigmas).toEqual([7, 10]);
    // Integers: the range is widened by half a step on each side.
    expect(numericEstimator([1, 8], 1, 8, 1).sigmas).toEqual([7, 7, 8]);
    expect(m.weights).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('integrate to 1 over the range (reals) and sum to 1 over the values (integers, choices)', () => {
    expect(integral(numericEstimator([0.1, 0.15, 0.9], 0, 1, 0), 0, 1)).toBeCloseTo(1, 6);
    const ints = numericEstimator([1, 1, 7], 1, 8, 1);
    expect([1, 2, 3, 4, 5, 6, 7, 8].reduce((s, x) => s + Math.exp(logDensity(ints, x)), 0)).toBeCloseTo(1, 12);
    const categorical = categoricalEstimator([0, 2, 2], 4);
    expect([0, 1, 2, 3].reduce((s, x) => s + Math.exp(logDensity(categorical, x)), 0)).toBeCloseTo(1, 12);
    expect(Math.exp(logDensity(categorical, 2))).toBeGreaterThan(Math.exp(logDensity(categorical, 1)));
  });

  it("weigh the latest 25 observations fully and ramp older ones from 1/n (Optuna's default_weights)", () => {
    expect(observationWeights(3)).toEqual([1, 1, 1]);
    const w = observationWeights(30);
    expect(w[0]).toBeCloseTo(1 / 30, 15);
    expect(w[4]).toBe(1);
    expect(w.slice(5)).toEqual(new Array(25).fill(1));
  });
});

describe('the good/bad split', () => {
  it('γ(n) = min(⌈0.1·n⌉, 25)', () => {
    expect([1, 10, 11, 60, 250, 251, 1000].map(goodCount)).toEqual([1, 1, 2, 6, 25, 25, 25]);
  });

  it('ranks the furthest rung first, then the loss, then the trial index; failed trials last', () => {
    const o = (trial: number, loss: number | null, rung = 0) => ({ trial, configuration: {}, loss, rung });
    const all = [o(0, 0.5), o(1, 0.1), o(2, 0.5), o(3, null), o(4, 0.9, 1), ...Array.from({ length: 10 }, (_, i) => o(5 + i, 0.5))];
    const { good, bad } = splitObservations(all);
    expect(good.map((x) => x.trial)).toEqual([1, 4]);
    expect(bad.map((x) => x.trial)).toEqual([0, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(splitObservations([o(2, 0.5), o(0, 0.5), o(1, 0.5)]).good.map((x) => x.trial)).toEqual([0]);
    // A running proposal (constant liar) is bad, whatever it would score, and does not count in n.
    const lied = splitObservations([...all, ...Array.from({ length: 6 }, (_, i) => ({ ...o(20 + i, -1), running: true }))]);
    expect(lied.good.map((x) => x.trial)).toEqual([1, 4]);
    expect(lied.bad.slice(-6).map((x) => x.trial)).toEqual([20, 21, 22, 23, 24, 25]);
  });
});
