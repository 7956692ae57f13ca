import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../../src/compare/compare.ts';
import { pairRuns, type ComparableRun } from '../../../src/compare/pairing.ts';
import { UserError } from '../../../src/errors.ts';

const WHERE = { by: '--by', baseline: '--baseline' };

/** A grid activation × learning_rate × seed, with the accuracy given per run. */
function grid(
  value: (activation: string, lr: number, seed: number) => number | null,
  status: (activation: string, lr: number, seed: number) => ComparableRun['status'] = () => 'completed',
): ComparableRun[] {
  const runs: ComparableRun[] = [];
  for (const activation of ['relu', 'sigmoid']) {
    for (const lr of [0.01, 0.1]) {
      for (const seed of [1, 2, 3]) {
        runs.push({
          runId: `${activation}-${lr}-${seed}`,
          label: `${activation} ${lr} ${seed}`,
          model: null,
          varying: { activation, learning_rate: lr, seed },
          status: status(activation, lr, seed),
          value: value(activation, lr, seed),
        });
      }
    }
  }
  return runs;
}

describe('pairRuns', () => {
  it('pairs runs that differ only in the parameter, seed by seed, sliced by the other parameters', () => {
    const p = pairRuns(
      grid((a, lr, s) => (a === 'relu' ? 90 : 80) + lr * 100 + s),
      'activation',
      'sigmoid',
      WHERE,
    );
    expect(p.baseline).toBe('sigmoid');
    expect(p.sliceBy).toEqual(['learning_rate']);
    expect(p.values.map((v) => v.value)).toEqual(['relu']);
    const slices = p.values[0]!.slices;
    expect(slices.map((s) => s.coordinates)).toEqual([{ learning_rate: 0.01 }, { learning_rate: 0.1 }]);
    expect(slices[0]!.pairs.map((pair) => [pair.other.runId, pair.baseline.runId, pair.diff])).toEqual([
      ['relu-0.01-1', 'sigmoid-0.01-1', 10],
      ['relu-0.01-2', 'sigmoid-0.01-2', 10],
      ['relu-0.01-3', 'sigmoid-0.01-3', 10],
    ]);
    expect(p.leftOut).toEqual([]);
  });

  it('takes the first value in run order as the default baseline', () => {
    expect(
      pairRuns(
        grid(() => 1),
        'activation',
        null,
        WHERE,
      ).baseline,
    ).toBe('relu');
  });

  it('matches a baseline written as a number', () => {
    expect(
      pairRuns(
        grid(() => 1),
        'learning_rate',
        0.1,
        WHERE,
      ).baseline,
    ).toBe(0.1);
  });

  it('lists unfinished, failed and diverged runs and the partners they leave alone', () => {
    const status = (a: string, lr: number, s: number): ComparableRun['status'] =>
      a === 'sigmoid' && lr === 0.1 && s === 1
        ? 'diverged'
        : a === 'relu' && lr === 0.01 && s === 2
          ? 'pending'
          : a === 'relu' && lr === 0.01 && s === 3
            ? 'failed'
            : 'completed';
    const p = pairRuns(
      grid((a, lr, s) => (status(a, lr, s) === 'completed' ? 50 : null), status),
      'activation',
      'sigmoid',
      WHERE,
    );
    expect(p.values[0]!.slices.map((s) => s.pairs.length)).toEqual([1, 2]);
    expect(p.leftOut).toEqual([
      { runId: 'relu-0.01-2', label: 'relu 0.01 2', reason: 'not run yet' },
      { runId: 'relu-0.01-3', label: 'relu 0.01 3', reason: 'failed' },
      { runId: 'sigmoid-0.1-1', label: 'sigmoid 0.1 1', reason: 'diverged' },
      { runId: 'relu-0.1-1', label: 'relu 0.1 1', reason: 'its partner with activation=sigmoid (sigmoid-0.1-1) diverged' },
      { runId: 'sigmoid-0.01-2', label: 'sigmoid 0.01 2', reason: 'its partner with activation=relu (relu-0.01-2) not run yet' },
      { runId: 'sigmoid-0.01-3', label: 'sigmoid 0.01 3', reason: 'its partner with activation=relu (relu-0.01-3) failed' },
    ]);
  });

  it('lists a run whose partner is not in the experiment (an excluded combination)', () => {
    const runs = grid(() => 70).filter((r) => r.runId !== 'sigmoid-0.1-3');
    const p = pairRuns(runs, 'activation', 'sigmoid', WHERE);
    expect(p.leftOut).toEqual([{ runId: 'relu-0.1-3', label: 'relu 0.1 3', reason: 'its partner with activation=sigmoid is not in the experiment' }]);
  });

  it('compares variants, with the parameters that come with each variant tied to it', () => {
    const runs: ComparableRun[] = ['small', 'big'].map((model, i) => ({
      runId: model,
      label: model,
      model,
      varying: { layers: `[784,${i + 1}0,10]` },
      status: 'completed',
      value: 90 + i,
    }));
    const p = pairRuns(runs, 'variant', null, WHERE);
    expect(p.tied).toEqual(['layers']);
    expect(p.sliceBy).toEqual([]);
    expect(p.values[0]!.slices[0]!.pairs.map((x) => x.diff)).toEqual([1]);
  });

  it.each([
    ['a parameter that does not vary', 'epochs', null, 'compare-by'],
    ['a misspelt parameter', 'activaton', null, 'compare-by'],
    ['the seed', 'seed', null, 'compare-by'],
    ['a baseline that is not a value', 'activation', 'tanh', 'compare-baseline'],
  ])('refuses %s', (_, by, baseline, code) => {
    expect(() =>
      pairRuns(
        grid(() => 1),
        by,
        baseline,
        WHERE,
      ),
    ).toThrow(UserError);
    try {
      pairRuns(
        grid(() => 1),
        by,
        baseline,
        WHERE,
      );
    } catch (error) {
      expect((error as UserError).code).toBe(code);
    }
  });

  it('suggests the parameter meant', () => {
    expect(() =>
      pairRuns(
        grid(() => 1),
        'activaton',
        null,
        WHERE,
      ),
    ).toThrow(/activaton/);
    try {
      pairRuns(
        grid(() => 1),
        'activaton',
        null,
        WHERE,
      );
    } catch (error) {
      expect((error as UserError).problems[0]!.hint).toBe('did you mean `activation`?');
    }
  });
});

describe('compareRuns', () => {
  it('summarises each slice and all pairs, and applies Holm across the slices', () => {
    const noise = [0.3, -0.2, 0.4];
    const c = compareRuns(
      grid((a, lr, s) => (a === 'relu' ? 95 + (lr === 0.1 ? 1 : 0) + noise[s - 1]! : 90)),
      { by: 'activation', baseline: 'sigmoid', metric: 'test_accuracy' },
      WHERE,
    );
    expect(c.rows.map((r) => [r.slice, r.n])).toEqual([
      ['learning_rate=0.01', 3],
      ['learning_rate=0.1', 3],
      ['all', 6],
    ]);
    const [first, second, all] = c.rows;
    expect(first!.mean_diff).toBeCloseTo(5 + 0.5 / 3, 12);
    expect(second!.mean_diff).toBeCloseTo(6 + 0.5 / 3, 12);
    expect(first!.p_t_holm).toBeCloseTo(Math.max(2 * Math.min(first!.p_t!, second!.p_t!), Math.max(first!.p_t!, second!.p_t!)), 12);
    expect(all!.p_t_holm).toBeNull();
    expect([all!.wins, all!.ties, all!.losses]).toEqual([6, 0, 0]);
  });

  it('counts a lower cost as a win', () => {
    const c = compareRuns(
      grid((a) => (a === 'relu' ? 0.2 : 0.5)),
      { by: 'activation', baseline: 'sigmoid', metric: 'test_cost' },
      WHERE,
    );
    expect(c.rows.at(-1)).toMatchObject({ wins: 6, losses: 0 });
  });

  it('gives a single pair its difference and n/a for the rest', () => {
    const runs = grid((a) => (a === 'relu' ? 2 : 1)).filter((r) => r.varying.seed === 1 && r.varying.learning_rate === 0.1);
    const c = compareRuns(runs, { by: 'activation', baseline: 'sigmoid', metric: 'test_accuracy' }, WHERE);
    expect(c.rows).toHaveLength(1);
    expect(c.rows[0]).toMatchObject({ slice: '-', n: 1, mean_diff: 1, ci_low: null, p_t: null, p_wilcoxon: null });
  });
});
