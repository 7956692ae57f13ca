import type { ResolvedRun } from '../experiment/index.ts';
import { promote, type Bracket, type Direction, type Proposal, type TrialResult } from '../search/index.ts';

/** Where a trial of a pruned search stands: the rung it is trained to (or stopped at), and whether it was pruned there. */
export interface TrialPlace {
  rung: number;
  /** The rung's epoch, or null for the last rung (the run trained to the end). */
  untilEpoch: number | null;
  epochs: number;
  pruned: boolean;
}

/** A run's metrics at a rung (null: not recorded yet), by the names of the history's columns. */
export type RungLookup = (run: ResolvedRun, untilEpoch: number | null) => Record<string, unknown> | null;

/**
 * Successive halving over one bracket, as far as the records go: every trial trains to the first
 * rung; once all of them are recorded there, the best 1/eta (promote) go on to the next, and so
 * on. Returns where each trial stands and, once the bracket is done, each trial's result (its
 * metric at the last rung it reached, and that rung).
 */
export function walkBracket(
  bracket: Bracket,
  trials: ReadonlyMap<number, { proposal: Proposal; runs: readonly ResolvedRun[] }>,
  metric: string,
  direction: Direction,
  lookup: RungLookup,
): { places: Map<number, TrialPlace>; results: (TrialResult & { epochs: number })[] | null } {
  const places = new Map<number, TrialPlace>();
  const reached = new Map<number, { value: number | null; rung: number; epochs: number }>();
  let current = [...bracket.trials];
  for (let k = 0; k < bracket.rungs.length && current.length > 0; k++) {
    const last = k === bracket.rungs.length - 1;
    const epochs = bracket.rungs[k]!.epochs;
    const untilEpoch = last ? null : epochs;
    for (const trial of current) places.set(trial, { rung: k, untilEpoch, epochs, pruned: false });
    const values = current.map((trial) => {
      const metrics = trials.get(trial)!.runs.map((run) => lookup(run, untilEpoch));
      return metrics.some((m) => m === null) ? null : { trial, value: meanOf(metrics as Record<string, unknown>[], metric) };
    });
    if (values.some((v) => v === null)) return { places, results: null };
    for (const v of values) reached.set(v!.trial, { value: v!.value, rung: k, epochs });
    if (last) break;
    // The rung as it is: fewer trials than planned when some of them diverged before it.
    const view: Bracket = { ...bracket, rungs: bracket.rungs.map((r, j) => (j === k ? { ...r, trials: current.length } : r)) };
    const promoted = promote(view, k, values as { trial: number; value: number | null }[], direction);
    for (const trial of current) if (!promoted.includes(trial)) places.get(trial)!.pruned = true;
    current = promoted;
  }
  const results = bracket.trials.map((trial) => ({ trial, configuration: trials.get(trial)!.proposal.configuration, ...reached.get(trial)! }));
  return { places, results };
}

/** The mean of the metric over a trial's runs (its seeds); null when one has none (diverged, or a metric it does not record). */
export function meanOf(metrics: readonly Record<string, unknown>[], metric: string): number | null {
  const values = metrics.map((m) => m[metric]);
  if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) return null;
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}
