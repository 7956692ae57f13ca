import { describe, expect, it } from 'vitest';
import {
  bracketEpochs,
  promote,
  pruningBrackets,
  restartEpochs,
  roundBrackets,
  rungEpochs,
  searchEpochs,
  searchRounds,
  type PrunerOptions,
} from '../../../src/search/index.ts';

const trials = (n: number) => Array.from({ length: n }, (_, i) => i);
const sh = (minEpochs: number, maxEpochs: number, eta: number): PrunerOptions => ({ method: 'successive_halving', minEpochs, maxEpochs, eta });

describe('successive halving', () => {
  it('27 trials, min 1, max 27, eta 3: rungs 1, 3, 9, 27 of 27, 9, 3, 1 trials; 81 epochs continued, 108 restarted, 729 unpruned', () => {
    const [bracket, ...others] = pruningBrackets(sh(1, 27, 3), trials(27));
    expect(others).toEqual([]);
    expect(bracket!.rungs).toEqual([
      { epochs: 1, trials: 27 },
      { epochs: 3, trials: 9 },
      { epochs: 9, trials: 3 },
      { epochs: 27, trials: 1 },
    ]);
    expect(bracketEpochs(bracket!)).toBe(27 * 1 + 9 * 2 + 3 * 6 + 1 * 18);
    expect(bracketEpochs(bracket!)).toBe(81);
    expect(restartEpochs(bracket!)).toBe(108);
  });

  it('ends its rungs at max_epochs when max/min is not a power of eta, and keeps one trial to the end', () => {
    expect(rungEpochs(sh(1, 20, 3))).toEqual([1, 3, 9, 20]);
    expect(rungEpochs(sh(2, 2, 3))).toEqual([2]);
    expect(pruningBrackets(sh(1, 20, 3), trials(5))[0]!.rungs.map((r) => r.trials)).toEqual([5, 1, 1, 1]);
  });

  it('promotes the best 1/eta by the metric, ties to the lower trial index, never a failed run', () => {
    const [bracket] = pruningBrackets(sh(1, 27, 3), trials(27));
    const results = trials(27).map((t) => ({ trial: t, value: t === 5 ? null : t % 4 === 0 ? 0.9 : t / 100 }));
    // maximize: the seven trials at 0.9 (0, 4, …, 24) then 0.26 and 0.25.
    expect(promote(bracket!, 0, results, 'maximize')).toEqual([0, 4, 8, 12, 16, 20, 24, 25, 26]);
    expect(
      promote(
        bracket!,
        0,
        trials(27).map((t) => ({ trial: 26 - t, value: 0.5 })),
        'maximize',
      ),
    ).toEqual(trials(9));
    expect(promote(bracket!, 0, results, 'minimize')).toEqual([1, 2, 3, 6, 7, 9, 10, 11, 13]);
    expect(promote(bracket!, 0, [...results].reverse(), 'maximize')).toEqual(promote(bracket!, 0, results, 'maximize'));
    expect(() => promote(bracket!, 0, results.slice(1), 'maximize')).toThrow(RangeError);
    expect(() => promote(bracket!, 3, [], 'maximize')).toThrow(RangeError);
  });

  it('refuses min_epochs > max_epochs and eta < 2', () => {
    expect(() => rungEpochs(sh(5, 4, 3))).toThrow(/max_epochs/);
    expect(() => rungEpochs(sh(1, 4, 1))).toThrow(/eta/);
  });
});

describe('Hyperband', () => {
  it("min 1, max 81, eta 3 gives Li et al.'s Table 1, brackets s = 4 … 0 in that order", () => {
    const brackets = pruningBrackets({ method: 'hyperband', minEpochs: 1, maxEpochs: 81, eta: 3 }, trials(143));
    expect(brackets.map((b) => [b.s, b.rungs.map((r) => [r.trials, r.epochs])])).toEqual([
      [
        4,
        [
          [81, 1],
          [27, 3],
          [9, 9],
          [3, 27],
          [1, 81],
        ],
      ],
      [
        3,
        [
          [34, 3],
          [11, 9],
          [3, 27],
          [1, 81],
        ],
      ],
      [
        2,
        [
          [15, 9],
          [5, 27],
          [1, 81],
        ],
      ],
      [
        1,
        [
          [8, 27],
          [2, 81],
        ],
      ],
      [0, [[5, 81]]],
    ]);
    expect(brackets.map((b) => b.trials[0])).toEqual([0, 81, 115, 130, 138]);
  });

  it('min 1, max 27, eta 3: 49 trials in four brackets, 357 epochs continued; then it starts again at s_max', () => {
    const options: PrunerOptions = { method: 'hyperband', minEpochs: 1, maxEpochs: 27, eta: 3 };
    const brackets = pruningBrackets(options, trials(49));
    expect(brackets.map((b) => b.trials.length)).toEqual([27, 12, 6, 4]);
    expect(brackets.map(bracketEpochs)).toEqual([81, 78, 90, 108]);
    const more = pruningBrackets(options, trials(60));
    expect(more.map((b) => [b.s, b.trials.length, b.rungs.map((r) => r.trials)])).toEqual([
      [3, 27, [27, 9, 3, 1]],
      [2, 12, [12, 4, 1]],
      [1, 6, [6, 2]],
      [0, 4, [4]],
      [3, 11, [11, 3, 1, 1]],
    ]);
    expect(pruningBrackets(options, trials(60))).toEqual(more);
  });
});

describe('rounds and brackets of a search', () => {
  const pruner = (method: PrunerOptions['method']): PrunerOptions => ({ method, minEpochs: 1, maxEpochs: 27, eta: 3 });

  it('random and sobol: one round, one successive-halving bracket of every trial: 81 epochs for 27 trials instead of 729', () => {
    const options = { method: 'sobol' as const, trials: 27, batch: 8, pruner: pruner('successive_halving') };
    expect(searchRounds(options)).toEqual([{ start: 0, count: 27 }]);
    expect(roundBrackets(options, 0)[0]!.rungs.map((r) => r.trials)).toEqual([27, 9, 3, 1]);
    expect(searchEpochs(options)).toEqual({ pruned: 81, unpruned: 729 });
  });

  it('tpe with successive halving: a bracket per round of `batch`', () => {
    const options = { method: 'tpe' as const, trials: 20, batch: 9, pruner: pruner('successive_halving') };
    expect(searchRounds(options)).toEqual([
      { start: 0, count: 9 },
      { start: 9, count: 9 },
      { start: 18, count: 2 },
    ]);
    expect(roundBrackets(options, 1)[0]!.trials).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(roundBrackets(options, 1)[0]!.rungs.map((r) => r.trials)).toEqual([9, 3, 1, 1]);
  });

  it('tpe with Hyperband: its brackets are the rounds; 49 trials train 357 epochs instead of 1,323', () => {
    const options = { method: 'tpe' as const, trials: 49, batch: 8, pruner: pruner('hyperband') };
    expect(searchRounds(options)).toEqual([
      { start: 0, count: 27 },
      { start: 27, count: 12 },
      { start: 39, count: 6 },
      { start: 45, count: 4 },
    ]);
    expect(roundBrackets(options, 2).map((b) => [b.s, b.trials[0], b.rungs.map((r) => r.epochs)])).toEqual([[1, 39, [9, 27]]]);
    expect(searchEpochs(options)).toEqual({ pruned: 357, unpruned: 1323 });
    expect(searchEpochs({ ...options, pruner: null })).toBeNull();
  });
});
