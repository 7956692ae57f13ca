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
export function plannedExperiments(loaded: readonly LoadedExperiment[], out: string, options: { sets: readonly string[]; maxRuns?: number | undefined }): PlannedExperiment[] {
  return loaded.map((l) => {
    const search = searchPlan(l, out, options.sets, options.maxRuns);
    return { ...l, runs: search ? search.runs : l.runs, search };
  });
}

/** `round 2 of 5` for the furthest search with more than one round; null when none has. */
export function searchStage(planned: readonly PlannedExperiment[]): string | null {
  const searches = planned.flatMap((p) => (p.search && p.search.rounds > 1 ? [p.search] : []));
  if (searches.length === 0) return null;
  const furthest = searches.reduce((a, b) => (b.roundsProposed / b.rounds > a.roundsProposed / a.rounds ? b : a));
  return `round ${furthest.roundsProposed} of ${furthest.rounds}`;
}
