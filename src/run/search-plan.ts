import { totalmem } from 'node:os';
import { expandExperiment, parseOverrides, type LoadedExperiment, type ResolvedRun } from '../experiment/index.ts';
import { experimentSearch, proposalSettings, type ExperimentSearch } from '../experiment/search.ts';
import { configurationKey, proposeRound, roundBrackets, searchRounds, type Configuration, type Proposal, type TrialResult } from '../search/index.ts';
import { runDir } from '../store/layout.ts';
import { readRunState, type RunMetrics } from '../store/run-record.ts';
import { readRungs, rungFile } from '../store/rung-record.ts';
import { meanOf, walkBracket, type RungLookup, type TrialPlace } from './search-rungs.ts';

/** A run of a search: trial `trial` of its grid cell, proposed in round `round`. */
export interface SearchRun extends ResolvedRun {
  trial: number;
  round: number;
  /** The grid cell (variant and grid values, seeds aside) the trial belongs to, from 0 in plan order. */
  cell: number;
  /** A trial a pruner stopped: its record at that rung (rung-record.ts), which the tables show with status `pruned`. */
  pruned: { file: string; epoch: number } | null;
}

/** A trial's result, and with a pruner the epochs of the last rung it reached. */
export type TrialOutcome = TrialResult & { epochs?: number };

/** How far a search's plan reaches with what the store holds. */
export interface SearchPlan {
  search: ExperimentSearch;
  /** The runs of every round proposed so far, by cell, then trial, then seed. */
  runs: SearchRun[];
  /** Rounds proposed so far (each of the earlier ones recorded in full), and in all. */
  roundsProposed: number;
  rounds: number;
  /** Per cell, the results of the trials of the recorded rounds (what the next round is proposed from). */
  results: TrialOutcome[][];
  /** Per cell, its label in the grid (`activation=relu`), or the experiment's name for a search without a grid. */
  cells: string[];
}

/**
 * The runs of a search as far as the results store lets them be known: round 0's proposals, and
 * round r + 1's once every run of round r has a record, proposed from those records. There is no
 * study database: the store is the study, so a rerun after a kill recomputes the same proposals and
 * finds the finished trials' runs by their ids. Every grid cell (variant, grid values) is searched
 * on its own with the same search seed; a proposal's runs in a cell are its seeds, and the trial's
 * result is their mean metric (null when one of them diverged). Returns null for a grid.
 */
export function searchPlan(loaded: LoadedExperiment, out: string, sets: readonly string[], maxRuns?: number): SearchPlan | null {
  const search = experimentSearch(loaded.experiment);
  if (!search) return null;
  const { overrides } = parseOverrides(sets);
  const rounds = searchRounds(search.options);
  const cells = new CellIndex();
  // The expansion of a configuration (every cell, every seed), kept: random and sobol propose the same configurations to each cell.
  const expansions = new Map<string, ResolvedRun[]>();
  const expand = (configuration: Configuration): ResolvedRun[] => {
    const key = configurationKey(configuration);
    let runs = expansions.get(key);
    if (!runs) {
      const expansion = expandExperiment({
        experiment: loaded.experiment,
        dataset: loaded.dataset,
        overrides,
        maxRuns,
        memoryLimit: totalmem(),
        layer: proposalSettings(configuration, search.pruner),
      });
      const error = expansion.findings.find((f) => f.severity === 'error');
      if (error) throw new Error(`a proposal of ${loaded.file} does not expand (${error.code}: ${error.message})`);
      runs = expansion.runs;
      expansions.set(key, runs);
    }
    return runs;
  };
  // The cells, in plan order, from the grid as loaded (its searched parameters at their first values).
  for (const run of loaded.runs) cells.of(run);
  const results: TrialOutcome[][] = Array.from({ length: cells.size }, () => []);
  const runs: SearchRun[] = [];
  const seen = new Set<string>();
  let roundsProposed = 0;
  const lookup: RungLookup = (run, untilEpoch) => {
    const finished = finishedMetrics(out, loaded.experiment.name, run);
    // A run that ended before its rung (diverged, early-stopped) has its final record instead.
    if (untilEpoch === null || (finished && finished.status !== 'completed')) return finished as unknown as Record<string, unknown> | null;
    return (readRungs(rungFile(out, loaded.experiment.name, run.id)).get(untilEpoch) ?? null) as unknown as Record<string, unknown> | null;
  };
  for (let round = 0; round < rounds.length; round++) {
    const byCell: { proposal: Proposal; runs: ResolvedRun[] }[][] = results.map((earlier, cell) =>
      proposeRound(search.space, search.options, round, earlier).map((proposal) => ({
        proposal,
        runs: expand(proposal.configuration).filter((r) => cells.of(r) === cell),
      })),
    );
    roundsProposed++;
    // Per cell, where each trial stands and, once the round is recorded in full, its trials' results.
    const outcomes = byCell.map((trials) => {
      const byTrial = new Map(trials.map((t) => [t.proposal.trial, t]));
      if (!search.pruner) {
        const metrics = trials.map((t) => t.runs.map((r) => lookup(r, null)));
        const complete = metrics.every((m) => m.every((x) => x !== null));
        const results = complete
          ? trials.map((t, i) => ({
              trial: t.proposal.trial,
              configuration: t.proposal.configuration,
              value: meanOf(metrics[i] as Record<string, unknown>[], search.metric),
            }))
          : null;
        return { places: new Map<number, TrialPlace>(), results };
      }
      const places = new Map<number, TrialPlace>();
      const results: TrialOutcome[] = [];
      let complete = true;
      for (const bracket of roundBrackets(search.options, round)) {
        const walked = walkBracket(bracket, byTrial, search.metric, search.options.direction, lookup);
        for (const [trial, place] of walked.places) places.set(trial, place);
        if (walked.results) results.push(...walked.results);
        else complete = false;
      }
      return { places, results: complete ? results : null };
    });
    byCell.forEach((trials, cell) => {
      for (const { proposal, runs: cellRuns } of trials) {
        for (const run of cellRuns) {
          if (seen.has(run.id)) continue; // two proposals of one configuration are one run
          seen.add(run.id);
          runs.push(
            searchRun(run, proposal, round, cell, search, outcomes[cell]!.places.get(proposal.trial) ?? null, rungFile(out, loaded.experiment.name, run.id)),
          );
        }
      }
    });
    // The next round is known only once every run of this one is recorded (a failed run is retried first).
    if (outcomes.some((o) => o.results === null)) break;
    outcomes.forEach((o, cell) => results[cell]!.push(...o.results!.sort((a, b) => a.trial - b.trial)));
  }
  runs.sort((a, b) => a.cell - b.cell || a.trial - b.trial || a.index - b.index);
  runs.forEach((run, i) => {
    run.index = i;
  }); // plan order, as a grid's runs have it
  return { search, runs, roundsProposed, rounds: rounds.length, results, cells: cells.labels };
}

/**
 * A cell's best trial so far: with a pruner, among the trials that went furthest (in epochs); the
 * best mean metric, ties to the lower trial index. Null before any trial has a result.
 */
export function bestTrial(plan: SearchPlan, cell: number): TrialOutcome | null {
  const sign = plan.search.options.direction === 'maximize' ? -1 : 1;
  const scored = plan.results[cell]!.filter((r): r is TrialOutcome & { value: number } => r.value !== null);
  return scored.sort((a, b) => (b.epochs ?? 0) - (a.epochs ?? 0) || sign * a.value - sign * b.value || a.trial - b.trial)[0] ?? null;
}

function finishedMetrics(out: string, experiment: string, run: ResolvedRun): RunMetrics | null {
  const state = readRunState(runDir(out, experiment, run.id));
  return state && 'metrics' in state ? state.metrics : null;
}

/** A proposal's run: its trial, and the searched values among the parameters that vary (so the tables have a column for each). */
function searchRun(
  run: ResolvedRun,
  proposal: Proposal,
  round: number,
  cell: number,
  search: ExperimentSearch,
  place: TrialPlace | null,
  rungs: string,
): SearchRun {
  const searched = Object.fromEntries(search.space.dimensions.map((d) => [d.name, tableValue(proposal.configuration[d.name])]));
  const values = Object.entries(searched)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const pruning: Record<string, number | null> = search.pruner ? { rung: place?.rung ?? 0, epochs_trained: place?.epochs ?? null } : {};
  return {
    ...run,
    label: `${run.label ? `${run.label} ` : ''}trial=${proposal.trial} ${values}`,
    varying: { trial: proposal.trial, ...pruning, ...run.varying, ...searched },
    trial: proposal.trial,
    round,
    cell,
    ...(search.pruner ? { rung: { untilEpoch: place?.untilEpoch ?? null } } : {}),
    pruned: place?.pruned && place.untilEpoch !== null ? { file: rungs, epoch: place.untilEpoch } : null,
  };
}

function tableValue(value: unknown): string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
}

/** Numbers the grid cells by their variant and the values that vary, seeds aside. */
class CellIndex {
  private readonly cells = new Map<string, number>();
  readonly labels: string[] = [];

  of(run: ResolvedRun): number {
    const { seed: _seed, ...others } = run.varying;
    const key = JSON.stringify([run.variant, Object.entries(others).sort(([a], [b]) => a.localeCompare(b))]);
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = this.cells.size;
      this.cells.set(key, cell);
      this.labels.push(run.label.replace(/ ?seed=\S+/, ''));
    }
    return cell;
  }

  get size(): number {
    return this.cells.size;
  }
}
