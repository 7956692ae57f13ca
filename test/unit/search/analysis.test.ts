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
});
