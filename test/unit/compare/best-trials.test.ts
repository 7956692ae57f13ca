import { describe, expect, it } from 'vitest';
import { bestTrialRuns } from '../../../src/compare/best-trials.ts';
import { compareRuns } from '../../../src/compare/compare.ts';
import { comparisonBlocks, comparisonText } from '../../../src/compare/formatting.ts';
import type { ComparableRun } from '../../../src/compare/pairing.ts';
import { UserError } from '../../../src/errors.ts';
import type { SearchPlan } from '../../../src/run/search-plan.ts';

const WHERE = { by: '--by', baseline: '--baseline' };
const CELLS = ['relu', 'sigmoid'];

/**
 * A search of learning_rate in two cells (activation relu, sigmoid), `trials` per cell, each trial
 * on `seeds`: `validation(cell, trial)` is the mean search metric its seeds gave (null: none yet),
 * `test(cell, trial, seed)` the compared metric of each run.
 */
function search(
  trials: number,
  seeds: readonly number[],
  validation: (cell: string, trial: number) => number | null,
  test: (cell: string, trial: number, seed: number) => number,
): { plan: SearchPlan; runs: ComparableRun[] } {
  const runs: ComparableRun[] = [];
  const planRuns: { id: string; cell: number; trial: number }[] = [];
  const results = CELLS.map((activation, cell) =>
    Array.from({ length: trials }, (_, trial) => {
      const learning_rate = 0.01 * (trial + 1) * (cell + 1);
      for (const seed of seeds) {
        const id = `${activation}-${trial}-${seed}`;
        planRuns.push({ id, cell, trial });
        runs.push({
          runId: id,
          label: `activation=${activation} seed=${seed} trial=${trial} learning_rate=${learning_rate}`,
          model: null,
          varying: { trial, activation, ...(seeds.length > 1 ? { seed } : {}), learning_rate },
          status: 'completed',
          value: test(activation, trial, seed),
        });
      }
      return { trial, configuration: { learning_rate }, value: validation(activation, trial) };
    }).filter((r) => r.value !== null),
  );
  const plan = {
    search: {
      metric: 'validation_accuracy',
      options: { direction: 'maximize' },
      space: { dimensions: [{ name: 'learning_rate', kind: 'log_uniform', low: 0.001, high: 1 }] },
      pruner: null,
    },
    runs: planRuns,
    roundsProposed: 1,
    rounds: 1,
    results,
    cells: CELLS.map((c) => `activation=${c}`),
  } as unknown as SearchPlan;
  return { plan, runs };
}

describe("a search's comparison: each cell's best trial", () => {
  it('selects the best mean of the search metric (not of the compared one), ties to the lower trial', () => {
    // relu: trial 2 is best on validation; trial 0 has the best test accuracy and must not be chosen.
    // sigmoid: trials 1 and 3 tie on validation; the lower one is the best.
    const { plan, runs } = search(
      4,
      [1, 2],
      (cell, trial) => (cell === 'relu' ? [90, 91, 95, 92][trial]! : [80, 88, 70, 88][trial]!),
      (cell, trial, seed) => (cell === 'relu' && trial === 0 ? 99 : 50 + 10 * trial + seed),
    );
    const selection = bestTrialRuns(plan, runs);
    expect(selection.trials.map((t) => [t.cell, t.trial, t.searchValue, t.values])).toEqual([
      ['activation=relu', 2, 95, [71, 72]],
      ['activation=sigmoid', 1, 88, [61, 62]],
    ]);
    expect(selection.runs.map((r) => r.runId)).toEqual(['relu-2-1', 'relu-2-2', 'sigmoid-1-1', 'sigmoid-1-2']);
    // The trial and the searched values are taken out: the runs pair by the grid and the seed alone.
    expect(selection.runs.map((r) => Object.keys(r.varying))).toEqual(Array(4).fill(['activation', 'seed']));
  });

  it('pairs the best trials by seed and tests them, instead of pooling or pairing every trial', () => {
    const { plan, runs } = search(
      5,
      [1, 2, 3],
      (cell, trial) => (cell === 'relu' ? 90 + trial : 85 + (trial % 2)),
      (cell, trial, seed) => (cell === 'relu' ? 90 + trial : 80 + trial) + seed / 10 + (cell === 'sigmoid' ? seed / 100 : 0),
    );
    const comparison = compareRuns(runs, { by: 'activation', baseline: 'sigmoid', metric: 'test_accuracy' }, WHERE, plan);
    expect(comparison.rows).toHaveLength(1);
    const [row] = comparison.rows;
    // relu's best is trial 4 (94 + seed/10), sigmoid's trial 1 (81 + seed/10 + seed/100): three pairs.
    expect(row).toMatchObject({ value: 'relu', baseline: 'sigmoid', n: 3, wins: 3, trial: 4, baseline_trial: 1 });
    expect(row!.mean_diff).toBeCloseTo(13 - 0.02, 10);
    expect(row!.ci_low).not.toBeNull();
    expect(row!.p_t).not.toBeNull();
    expect(comparison.leftOut).toEqual([]);
    expect(comparison.search?.trials.map((t) => t.trial)).toEqual([4, 1]);
    // Without the plan, the same runs would not pair at all (every trial has its own learning rate).
    const pooled = compareRuns(runs, { by: 'activation', baseline: 'sigmoid', metric: 'test_accuracy' }, WHERE);
    expect(pooled.rows.every((r) => r.n === 0)).toBe(true);
  });

  it('with one seed shows the two values and says why there is no interval or test', () => {
    const { plan, runs } = search(
      3,
      [7],
      (cell, trial) => (cell === 'relu' ? 90 + trial : 80 - trial),
      (cell, trial) => (cell === 'relu' ? 93 + trial : 85 + trial),
    );
    const comparison = compareRuns(runs, { by: 'activation', baseline: null, metric: 'test_accuracy' }, WHERE, plan);
    expect(comparison.rows[0]).toMatchObject({ value: 'sigmoid', baseline: 'relu', n: 1, mean_diff: 85 - 95, ci_low: null, p_t: null });
    const text = comparisonText('tuned', comparison);
    expect(text).toContain('activation=relu: trial 2 (learning_rate=0.03), validation_accuracy 92; test accuracy (%) 95');
    expect(text).toContain('activation=sigmoid: trial 0 (learning_rate=0.02), validation_accuracy 80; test accuracy (%) 85');
    expect(text).toContain('each best trial ran on one seed');
    const [block] = comparisonBlocks(comparison);
    expect(block!.table.caption).toContain("each cell's best trial, paired by seed");
    expect(block!.notes.join('\n')).toContain('each best trial ran on one seed');
    expect(block!.notes.join('\n')).toContain('activation=relu: trial 2');
  });

  it('lists a cell without a result as left out, with the reason', () => {
    const { plan, runs } = search(
      2,
      [1, 2],
      (cell, trial) => (cell === 'relu' ? 90 + trial : null),
      () => 90,
    );
    const comparison = compareRuns(runs, { by: 'activation', baseline: null, metric: 'test_accuracy' }, WHERE, plan);
    expect(comparison.search?.trials.map((t) => t.trial)).toEqual([1, null]);
    expect(comparison.rows[0]).toMatchObject({ n: 0 });
    expect(comparison.leftOut.map((l) => l.runId)).toEqual(['sigmoid-0-1', 'sigmoid-0-2', 'relu-1-1', 'relu-1-2']);
    expect(comparison.leftOut[0]!.reason).toContain('no trial of activation=sigmoid has a result yet');
  });

  it('refuses to compare by a searched parameter or the trial', () => {
    const { plan, runs } = search(
      2,
      [1],
      () => 90,
      () => 90,
    );
    for (const by of ['learning_rate', 'trial']) {
      const attempt = () => compareRuns(runs, { by, baseline: null, metric: 'test_accuracy' }, WHERE, plan);
      expect(attempt).toThrow(UserError);
      expect(attempt).toThrow(/best trial is compared/);
    }
  });
});
