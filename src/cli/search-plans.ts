import type { LoadedExperiment } from '../experiment/index.ts';
import { searchPlan, type SearchPlan } from '../run/search-plan.ts';

/** A loaded experiment with the runs it has so far: a grid's own, or every run a search has proposed from the store's records. */
export interface PlannedExperiment extends LoadedExperiment {
  search: SearchPlan | null;
}

/**
 * Every experiment with its runs as far as the results store lets them be known (see searchPlan):
 * what `plan`, `run` and `report` list. A grid's runs are its expansion, unchanged.
 */
export function plannedExperiments(
  loaded: readonly LoadedExperiment[],
  out: string,
  options: { sets: readonly string[]; maxRuns?: number | undefined },
): PlannedExperiment[] {
  return loaded.map((l) => {
    const search = searchPlan(l, out, options.sets, options.maxRuns);
    return { ...l, runs: search ? search.runs : l.runs, search };
  });
}

/**
 * `round 2 of 5` for the furthest search with more than one round, and with a pruner the furthest
 * rung planned (`rung at epoch 9 of 27`); null when no search has either.
 */
export function searchStage(planned: readonly PlannedExperiment[]): string | null {
  const searches = planned.flatMap((p) => (p.search ? [p.search] : []));
  const rounds = searches.filter((s) => s.rounds > 1);
  const parts: string[] = [];
  if (rounds.length > 0) {
    const furthest = rounds.reduce((a, b) => (b.roundsProposed / b.rounds > a.roundsProposed / a.rounds ? b : a));
    parts.push(`round ${furthest.roundsProposed} of ${furthest.rounds}`);
  }
  const pruned = searches.find((s) => s.search.pruner);
  if (pruned) {
    const epochs = Math.max(...pruned.runs.map((r) => Number(r.varying.epochs_trained ?? 0)));
    parts.push(`rung at epoch ${epochs} of ${pruned.search.pruner!.maxEpochs}`);
  }
  return parts.length > 0 ? parts.join(', ') : null;
}
