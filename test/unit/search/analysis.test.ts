import { describe, expect, it } from 'vitest';
import { expectedBest, parameterImportance } from '../../../src/search/analysis.ts';
import type { Dimension } from '../../../src/search/space.ts';
import { Rng } from '../../../src/core/rng.ts';

describe('expected best after n trials (Dodge et al. 2019)', () => {
  it('is the mean for one trial and the expected maximum of n draws after that, by the closed form', () => {
    const curve = expectedBest([2, 1, 3], 'maximize');
    expect(curve[0]).toBeCloseTo(2, 12);
    expect(curve[2]).toBeCloseTo(72 / 27, 12); // 3·(1 − (2/3)³) + 2·((2/3)³ − (1/3)³) + 1·(1/3)³
    for (let i = 1; i < curve.length; i++) expect(curve[i]!).toBeGreaterThanOrEqual(curve[i - 1]!);
  });

  it('agrees with draws from the observed values, and mirrors for a cost', () => {
    const values = [0.91, 0.95, 0.72, 0.88, 0.93, 0.61];
    const rng = Rng.fromSeed(3);
    const draws = 200_000;
    let sum = 0;
    for (let d = 0; d < draws; d++) {
      let best = -Infinity;
      for (let k = 0; k < 3; k++) best = Math.max(best, values[Math.floor(rng.uniform() * values.length)]!);
      sum += best;
    }
    expect(expectedBest(values, 'maximize')[2]).toBeCloseTo(sum / draws, 3);
    expect(
      expectedBest(
        values.map((v) => -v),
        'minimize',
      ).map((v) => -v),
    ).toEqual(expectedBest(values, 'maximize').map((v) => expect.closeTo(v, 12)));
  });
});

describe('parameter importance', () => {
  const dimensions: Dimension[] = [
    { name: 'learning_rate', kind: 'log_uniform', low: 1e-3, high: 1 },
    { name: 'momentum', kind: 'uniform', low: 0, high: 1 },
    { name: 'init', kind: 'choice', values: ['he', 'xavier'] },
  ];
  const rng = Rng.fromSeed(7);
  const trials = Array.from({ length: 40 }, () => {
    const configuration = { learning_rate: 10 ** (-3 * rng.uniform()), momentum: rng.uniform(), init: rng.uniform() < 0.5 ? 'he' : 'xavier' };
    // The metric depends on the learning rate alone (its logarithm), plus a little noise.
    return { configuration, value: -Math.abs(Math.log10(configuration.learning_rate) + 1.5) + 0.01 * rng.uniform() };
  });

  it('gives the parameter the metric depends on most of the variance, and the others about chance', () => {
    const [lr, momentum, init] = parameterImportance(dimensions, trials);
    expect(lr!.share).toBeGreaterThan(0.5);
    expect(lr!.share).toBeGreaterThan(5 * lr!.chance);
    expect(momentum!.share).toBeLessThan(4 * momentum!.chance);
    expect(init!.groups).toBe(2);
    expect(init!.chance).toBeCloseTo(1 / 39, 12);
    expect(init!.share).toBeLessThan(0.15);
  });

  it('groups a parameter of few values by value, not by bins that would split equal values', () => {
    const small = [{ name: 'epochs', kind: 'int_uniform', low: 1, high: 2 } as Dimension];
    const [epochs] = parameterImportance(
      small,
      [1, 2, 1, 2, 1, 2].map((e) => ({ configuration: { epochs: e }, value: e })),
    );
    expect(epochs).toMatchObject({ groups: 2, share: 1 });
  });

  it('has no seed-noise floor without repeated seeds', () => {
    for (const i of parameterImportance(dimensions, trials)) expect(i.noise).toBeNull();
  });
});

describe('parameter importance against the seed-noise floor', () => {
  const dimensions: Dimension[] = [
    { name: 'learning_rate', kind: 'log_uniform', low: 1e-3, high: 1 },
    { name: 'init', kind: 'choice', values: ['he', 'xavier'] },
  ];
  /** A search of `n` trials on `m` seeds: each seed's value is effect(configuration) + N(0, 1). */
  function search(rng: Rng, n: number, m: number, effect: (lr: number) => number) {
    return Array.from({ length: n }, () => {
      const configuration = { learning_rate: 10 ** (-3 * rng.uniform()), init: rng.uniform() < 0.5 ? 'he' : 'xavier' };
      const seeds = Array.from({ length: m }, () => effect(configuration.learning_rate) + rng.normal());
      return { configuration, value: seeds.reduce((a, b) => a + b, 0) / m, seeds };
    });
  }

  it('puts the shares of a metric that depends on nothing but seed noise at the floor, on average', () => {
    const rng = Rng.fromSeed(3);
    const sums = dimensions.map(() => ({ share: 0, noise: 0, chance: 0 }));
    const replications = 300;
    for (let r = 0; r < replications; r++) {
      parameterImportance(
        dimensions,
        search(rng, 40, 3, () => 0),
      ).forEach((i, d) => {
        sums[d]!.share += i.share / replications;
        sums[d]!.noise += i.noise! / replications;
        sums[d]!.chance += i.chance / replications;
      });
    }
    for (const { share, noise, chance } of sums) {
      // Noise explains all the variance of the means, so its floor is the chance level; the
      // floor's ratio of two variance estimates is biased up by about (n − 1)/(n − 3) (5% here).
      expect(noise / share).toBeGreaterThan(0.9);
      expect(noise / share).toBeLessThan(1.2);
      expect(noise / chance).toBeGreaterThan(0.9);
      expect(noise / chance).toBeLessThan(1.2);
    }
  });

  it('puts a strong dependence far above the floor, and the floor far below chance', () => {
    const [lr, init] = parameterImportance(
      dimensions,
      search(Rng.fromSeed(5), 40, 3, (x) => 10 * Math.log10(x)),
    );
    expect(lr!.share).toBeGreaterThan(0.8);
    expect(lr!.share).toBeGreaterThan(100 * lr!.noise!);
    // init does not matter: its share is about chance (the learning rate's effect falls into its
    // groups at random), but seed noise explains almost none of it.
    expect(init!.share).toBeLessThan(0.2);
    expect(init!.noise!).toBeLessThan(init!.chance / 20);
  });

  it('is E[SS_b] / SS_t by the formula on a small case, and a trial of one seed adds no noise estimate', () => {
    // Two groups of two trials: means 1, 2 | 4, 5 (SS_t = 10); seeds differ by ±1 (s²_w = 2, m = 2: v = 1).
    const [init] = parameterImportance(
      [dimensions[1]!],
      [
        { configuration: { init: 'he' }, value: 1, seeds: [0, 2] },
        { configuration: { init: 'he' }, value: 2, seeds: [1, 3] },
        { configuration: { init: 'xavier' }, value: 4, seeds: [3, 5] },
        { configuration: { init: 'xavier' }, value: 5, seeds: [4, 6] },
      ],
    );
    // E[SS_b] = V₁/n₁ + V₂/n₂ − V/n = 2/2 + 2/2 − 4/4 = 1 = (k − 1)·σ²/m.
    expect(init!.share).toBeCloseTo(9 / 10, 12);
    expect(init!.noise).toBeCloseTo(1 / 10, 12);
    const [one] = parameterImportance(
      [dimensions[1]!],
      [
        { configuration: { init: 'he' }, value: 1, seeds: [1] },
        { configuration: { init: 'xavier' }, value: 2, seeds: [2] },
      ],
    );
    expect(one!.noise).toBeNull();
  });
});
