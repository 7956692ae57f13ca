import { describe, expect, it } from 'vitest';
import { BRANIN, HARTMANN6, MIXED, bestFound, median } from '../../../bench/search-functions.ts';
import {
  DEFAULT_TPE_OPTIONS,
  plannedTrials,
  proposeRound,
  randomProposals,
  searchRounds,
  searchSpace,
  sobolProposals,
  type Proposal,
  type SearchOptions,
  type TrialResult,
} from '../../../src/search/index.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i);
const regret = (fn: typeof BRANIN, method: 'random' | 'sobol' | 'tpe') => median(SEEDS.map((s) => bestFound(fn, method, s, 60))) - fn.minimum;

describe('TPE against random search, median over 20 search seeds, 60 evaluations', () => {
  it.each([BRANIN, HARTMANN6, MIXED])("$name: TPE's median regret is under half of random's", (fn) => {
    const random = regret(fn, 'random');
    const tpe = regret(fn, 'tpe');
    expect(tpe).toBeLessThan(0.5 * random);
  });
});

/** Centered L2 discrepancy (Hickernell 1998, Math. Comp. 67, eq. 5.1c) of points in [0, 1]^d. */
function centeredL2(points: number[][]): number {
  const n = points.length;
  const d = points[0]!.length;
  let single = 0;
  let pairs = 0;
  for (const x of points) single += x.reduce((p, v) => p * (1 + 0.5 * Math.abs(v - 0.5) - 0.5 * (v - 0.5) ** 2), 1);
  for (const x of points) {
    for (const y of points) {
      pairs += x.reduce((p, v, k) => p * (1 + 0.5 * Math.abs(v - 0.5) + 0.5 * Math.abs(y[k]! - 0.5) - 0.5 * Math.abs(v - y[k]!)), 1);
    }
  }
  return Math.sqrt((13 / 12) ** d - (2 / n) * single + pairs / n ** 2);
}

describe('Sobol against random points', () => {
  const cube = searchSpace(Array.from({ length: 6 }, (_, i) => ({ name: `x${i}`, kind: 'uniform' as const, low: 0, high: 1 })));
  const asPoints = (proposals: Proposal[]) => proposals.map((p) => cube.dimensions.map((d) => p.configuration[d.name] as number));

  it('has a lower centered L2 discrepancy at the median of 20 seeds (64 points in 6 dimensions)', () => {
    const sobol = median(SEEDS.map((s) => centeredL2(asPoints(sobolProposals(cube, s, 64)))));
    const random = median(SEEDS.map((s) => centeredL2(asPoints(randomProposals(cube, s, 64)))));
    expect(sobol).toBeLessThan(0.7 * random);
  });

  it('puts one of the first 2^m points in each interval of width 2^-m of every coordinate (scrambled, still a net)', () => {
    for (const seed of [0, 1, 2]) {
      const points = asPoints(sobolProposals(cube, seed, 32));
      for (let k = 0; k < 6; k++) expect(new Set(points.map((x) => Math.floor(x[k]! * 32))).size).toBe(32);
    }
  });
});

const space = searchSpace([
  { name: 'learning_rate', kind: 'log_uniform', low: 1e-3, high: 0.5 },
  { name: 'momentum', kind: 'uniform', low: 0, high: 0.99 },
  { name: 'batch_size', kind: 'choice', values: [16, 32, 64, 128] },
  {
    name: 'layers',
    kind: 'choice',
    values: [
      [784, 64, 10],
      [784, 128, 64, 10],
    ],
  },
  { name: 'epochs', kind: 'int_uniform', low: 1, high: 20 },
]);
const objective = (p: Proposal) => {
  const c = p.configuration;
  return (
    -((Math.log10(c.learning_rate as number) + 1.5) ** 2) - ((c.momentum as number) - 0.9) ** 2 + (c.batch_size === 32 ? 1 : 0) + (c.epochs as number) / 20
  );
};

/** Every proposal of a search run round by round on `objective`, its results fed back. */
function search(options: SearchOptions, value: (p: Proposal) => number | null = objective): { proposals: Proposal[][]; results: TrialResult[] } {
  const results: TrialResult[] = [];
  const proposals = searchRounds(options).map((_, round) => {
    const made = proposeRound(space, options, round, results);
    results.push(...made.map((p) => ({ trial: p.trial, configuration: p.configuration, value: value(p) })));
    return made;
  });
  return { proposals, results };
}

describe('determinism', () => {
  const tpe: SearchOptions = { method: 'tpe', trials: 40, batch: 8, seed: 7, direction: 'maximize' };
  // The reference search, computed once: the tests below recompute parts of it.
  let reference: ReturnType<typeof search> | undefined;
  const tpeSearch = () => (reference ??= search(tpe));

  it.each(['random', 'sobol', 'tpe'] as const)('%s: the same seed gives the same proposals; another seed, others', (method) => {
    const options = { ...tpe, method };
    const first = method === 'tpe' ? tpeSearch() : search(options);
    expect(search(options).proposals).toEqual(first.proposals);
    expect(search({ ...options, seed: 8 }).proposals).not.toEqual(first.proposals);
  });

  it('a TPE round depends only on the results of earlier rounds, in any order', () => {
    const { proposals, results } = tpeSearch();
    for (let round = 0; round < proposals.length; round++) {
      const earlier = results.slice(0, round * 8);
      expect(proposeRound(space, tpe, round, [...earlier].reverse())).toEqual(proposals[round]);
    }
    expect(() => proposeRound(space, tpe, 2, results.slice(0, 17))).toThrow(RangeError);
    expect(() => proposeRound(space, tpe, 2, results.slice(0, 15))).toThrow(RangeError);
  });

  it('changing a result changes only later rounds', () => {
    const { proposals, results } = tpeSearch();
    // The worst trial of round 2 becomes the best of all: the good group of round 3 changes.
    const worst = results.slice(16, 24).reduce((a, b) => (b.value! < a.value! ? b : a));
    const changed = results.map((r) => (r.trial === worst.trial ? { ...r, value: 100 } : r));
    expect(proposeRound(space, tpe, 2, changed.slice(0, 16))).toEqual(proposals[2]);
    expect(proposeRound(space, tpe, 3, changed.slice(0, 24))).not.toEqual(proposals[3]);
  });

  it('ties in the metric are broken by trial index, not by the order results arrive in', () => {
    const flat = search(tpe, () => 0.5);
    const shuffled = [...flat.results].sort((a, b) => ((a.trial * 7919) % 40) - ((b.trial * 7919) % 40));
    expect(
      proposeRound(
        space,
        tpe,
        4,
        shuffled.filter((r) => r.trial < 32),
      ),
    ).toEqual(flat.proposals[4]);
  });

  it("starts with random proposals: the first rounds are the random sampler's", () => {
    const { proposals } = tpeSearch();
    expect(proposals.slice(0, 2).flat()).toEqual(randomProposals(space, 7, 16).map((p, i) => ({ ...p, trial: i })));
  });

  it('counts failed and diverged trials as the worst, and keeps proposing', () => {
    const { results } = search(tpe, (p) => ((p.configuration.learning_rate as number) > 0.1 ? null : objective(p)));
    expect(results).toHaveLength(40);
  });
});

describe('no duplicates', () => {
  const discrete = searchSpace([
    { name: 'batch_size', kind: 'choice', values: [16, 32, 64] },
    { name: 'epochs', kind: 'int_uniform', low: 1, high: 4 },
  ]);

  it.each(['random', 'sobol', 'tpe'] as const)('%s proposes every configuration of a 12-point space once in 12 trials', (method) => {
    const options: SearchOptions = { method, trials: 12, batch: 4, seed: 3, direction: 'minimize' };
    const results: TrialResult[] = [];
    for (let round = 0; round < searchRounds(options).length; round++) {
      for (const p of proposeRound(discrete, options, round, results))
        results.push({ trial: p.trial, configuration: p.configuration, value: p.configuration.epochs as number });
    }
    expect(new Set(results.map((r) => JSON.stringify(r.configuration))).size).toBe(12);
  });

  it('caps trials at the size of a discrete space, and refuses more', () => {
    expect(plannedTrials(discrete, 40)).toEqual({ trials: 12, capped: true });
    expect(plannedTrials(discrete, 12)).toEqual({ trials: 12, capped: false });
    expect(plannedTrials(space, 10_000)).toEqual({ trials: 10_000, capped: false });
    expect(() => proposeRound(discrete, { method: 'random', trials: 13, batch: 1, seed: 0, direction: 'minimize' }, 0, [])).toThrow(/plannedTrials/);
  });
});

describe('univariate TPE (each dimension on its own)', () => {
  it('also beats random search on the mixed space (median of 10 seeds)', () => {
    const univariate = { ...DEFAULT_TPE_OPTIONS, multivariate: false };
    const best = (seed: number) => {
      const space = searchSpace(MIXED.dimensions);
      const options: SearchOptions = { method: 'tpe', trials: 60, batch: 1, seed, direction: 'minimize', tpe: univariate };
      const results: TrialResult[] = [];
      for (let round = 0; round < 60; round++) {
        for (const p of proposeRound(space, options, round, results))
          results.push({ trial: p.trial, configuration: p.configuration, value: MIXED.evaluate(p.configuration) });
      }
      return Math.min(...results.map((r) => r.value!));
    };
    expect(median(SEEDS.slice(0, 10).map(best))).toBeLessThan(0.5 * regret(MIXED, 'random'));
  });
});
