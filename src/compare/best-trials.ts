import { bestTrial, type SearchPlan } from '../run/search-plan.ts';
import type { ResultRow, Scalar } from '../tables/result-row.ts';
import type { ComparableRun } from './pairing.ts';

/**
 * What a comparison of a search compares: in each grid cell, the runs (one per seed) of the cell's
 * best trial, the one `run`'s summary and results.md's Search section name (bestTrial: the best
 * mean of the search metric over the trial's seeds, ties to the lower trial index). Pooling every
 * trial of a cell would compare the searches' average proposals, not their outcomes, and pairing
 * trials across cells would pair unrelated settings (TPE proposes different ones per cell). Pure.
 */

/** A grid cell's best trial as its comparison used it. */
export interface SelectedTrial {
  /** The cell's label (`activation=relu`). */
  cell: string;
  /** Null while no trial of the cell has a result (its first round is not recorded in full). */
  trial: number | null;
  /** The trial's searched values; empty without a trial. */
  configuration: Record<string, unknown>;
  /** The search metric's mean over the trial's seeds: what it was chosen by. */
  searchValue: number | null;
  /** The compared metric of each of its runs that gave one, in seed order. */
  values: number[];
}

export interface BestTrialRuns {
  /** The best trials' runs, with the search's own coordinates taken out of `varying`, so that they pair by the grid and the seed alone. */
  runs: ComparableRun[];
  trials: SelectedTrial[];
  /** Which trial each kept run belongs to, by run id. */
  trialOf: Map<string, number>;
}

/** The coordinates a search adds to its runs' `varying`: the trial and, with a pruner, its rung and epochs trained. */
const TRIAL_COORDINATES = ['trial', 'rung', 'epochs_trained'];

/** Each cell's best trial (bestTrial) with its runs' ids, or for a cell without a result its first trial and null. */
function bestTrialsOf(plan: SearchPlan): { cell: string; best: ReturnType<typeof bestTrial>; trial: number; runIds: string[] }[] {
  return plan.cells.map((cell, index) => {
    const best = bestTrial(plan, index);
    const cellRuns = plan.runs.filter((r) => r.cell === index);
    // Two proposals of one configuration are one run, listed under the first; bestTrial breaks
    // their (equal) tie to that lower trial, so its runs are found under its own index.
    const trial = best?.trial ?? Math.min(...cellRuns.map((r) => r.trial));
    return { cell, best, trial, runIds: cellRuns.filter((r) => r.trial === trial).map((r) => r.id) };
  });
}

/**
 * The runs of each cell's best trial among `runs` (the search's runs as the results store has
 * them). A cell with no result yet keeps the runs of its first trial, marked without a value and
 * with that reason, so that the comparison lists it as left out rather than losing the cell.
 */
export function bestTrialRuns(plan: SearchPlan, runs: readonly ComparableRun[]): BestTrialRuns {
  const byId = new Map(runs.map((r) => [r.runId, r]));
  // Pairing sees neither the trial nor the searched values: each cell has its own.
  const own = new Set([...TRIAL_COORDINATES, ...plan.search.space.dimensions.map((d) => d.name)]);
  const kept: ComparableRun[] = [];
  const trialOf = new Map<string, number>();
  const trials = bestTrialsOf(plan).map(({ cell, best, trial, runIds }): SelectedTrial => {
    const values: number[] = [];
    for (const id of runIds) {
      const found = byId.get(id);
      if (!found) continue;
      const varying = Object.fromEntries(Object.entries(found.varying).filter(([key]) => !own.has(key))) as Record<string, Scalar>;
      kept.push(
        best
          ? { ...found, varying }
          : { ...found, varying, value: null, reason: `no trial of ${cell} has a result yet (its first round is not recorded in full)` },
      );
      trialOf.set(id, trial);
      if (best && found.value !== null && Number.isFinite(found.value)) values.push(found.value);
    }
    return best
      ? { cell, trial: best.trial, configuration: best.configuration, searchValue: best.value, values }
      : { cell, trial: null, configuration: {}, searchValue: null, values: [] };
  });
  return { runs: kept, trials, trialOf };
}

/**
 * The result rows of each cell's best trial, for `mlp-lab best`: the trials the search chose, with
 * their searched values kept (they are the settings to carry into a variant) and the trial's own
 * coordinates taken out. Cells without a result have none.
 */
export function bestTrialRows(plan: SearchPlan, rows: readonly ResultRow[]): ResultRow[] {
  const chosen = new Set(bestTrialsOf(plan).flatMap(({ best, runIds }) => (best ? runIds : [])));
  return rows
    .filter((row) => chosen.has(row.runId))
    .map((row) => ({ ...row, varying: Object.fromEntries(Object.entries(row.varying).filter(([key]) => !TRIAL_COORDINATES.includes(key))) }));
}
