import type { Direction } from './direction.ts';

/**
 * Successive halving and Hyperband as pure schedules: which trials train to which epoch, and which
 * of them go on, given the metric each reached at the rung before. A promoted trial continues
 * from its checkpoint at the rung's epoch, so a bracket costs Σ_k n_k·(e_k − e_{k−1}) epochs,
 * not the Σ_k n_k·e_k of a restart (Li et al. retrain from scratch).
 */

export type PrunerMethod = 'successive_halving' | 'hyperband';

export interface PrunerOptions {
  method: PrunerMethod;
  minEpochs: number;
  maxEpochs: number;
  /** Reduction factor: 1/eta of a rung's trials go on to the next, which trains eta times the epochs. An integer ≥ 2. */
  eta: number;
}

/** A rung: `trials` of the bracket's trials train up to `epochs`. */
export interface Rung {
  epochs: number;
  trials: number;
}

/** A bracket: its trials (indices of the search) and its rungs, the first with all of them. */
export interface Bracket {
  /** Hyperband's s: the bracket has s + 1 rungs (successive halving's one bracket has them all, s = s_max). */
  s: number;
  trials: readonly number[];
  rungs: readonly Rung[];
}

/** A trial's metric at a rung; null for a failed or diverged run (it never goes on). */
export interface RungResult {
  trial: number;
  value: number | null;
}

/** Throws RangeError for options no schedule exists for (validation reports them to the user first). */
export function checkPrunerOptions(options: PrunerOptions): void {
  const { minEpochs, maxEpochs, eta } = options;
  if (!Number.isSafeInteger(minEpochs) || minEpochs < 1) throw new RangeError(`min_epochs must be an integer ≥ 1, got ${minEpochs}`);
  if (!Number.isSafeInteger(maxEpochs) || maxEpochs < minEpochs)
    throw new RangeError(`max_epochs must be an integer ≥ min_epochs (${minEpochs}), got ${maxEpochs}`);
  if (!Number.isSafeInteger(eta) || eta < 2) throw new RangeError(`eta must be an integer ≥ 2, got ${eta}`);
}

/**
 * The epochs of successive halving's rungs: min·eta^k while below max, then max itself (Jamieson &
 * Talwalkar, "Non-stochastic best arm identification and hyperparameter optimization", AISTATS
 * 2016; the last step is shorter when max/min is not a power of eta). 1, 3, 9, 27 for min 1,
 * max 27, eta 3; 1, 3, 9, 20 for max 20.
 */
export function rungEpochs(options: PrunerOptions): number[] {
  checkPrunerOptions(options);
  const epochs: number[] = [];
  for (let e = options.minEpochs; e < options.maxEpochs; e *= options.eta) epochs.push(e);
  epochs.push(options.maxEpochs);
  return epochs;
}

/** How many of m trials reach each of `epochs`' rungs: ⌊m / eta^k⌋, never fewer than one. */
function rungsOf(m: number, epochs: readonly number[], eta: number): Rung[] {
  let n = m;
  return epochs.map((e, k) => {
    if (k > 0) n = Math.max(1, Math.floor(n / eta));
    return { epochs: e, trials: n };
  });
}

/**
 * The brackets that schedule `trials` (search trial indices, in the order they are to be
 * assigned).
 * - successive_halving: one bracket of all of them over every rung (s = number of rungs − 1).
 * - hyperband (Li, Jamieson, DeSalvo, Rostamizadeh & Talwalkar, "Hyperband", JMLR 18 (2018),
 *   Algorithm 1): with s_max + 1 rungs, brackets s = s_max, s_max − 1, …, 0 in that order, bracket s
 *   taking the next n_s = ⌈(s_max + 1)·eta^s / (s + 1)⌉ trials and the last s + 1 rungs; when
 *   every bracket has had its trials, the loop starts again at s_max, and the last bracket takes
 *   what is left. For min 1, max 81, eta 3 this is the paper's Table 1.
 */
export function pruningBrackets(options: PrunerOptions, trials: readonly number[]): Bracket[] {
  const epochs = rungEpochs(options);
  const sMax = epochs.length - 1;
  if (options.method === 'successive_halving') {
    return trials.length === 0 ? [] : [{ s: sMax, trials: [...trials], rungs: rungsOf(trials.length, epochs, options.eta) }];
  }
  const brackets: Bracket[] = [];
  let next = 0;
  for (let s = sMax; next < trials.length; s = s === 0 ? sMax : s - 1) {
    const wanted = Math.ceil(((sMax + 1) * options.eta ** s) / (s + 1));
    const taken = trials.slice(next, next + wanted);
    next += taken.length;
    brackets.push({ s, trials: taken, rungs: rungsOf(taken.length, epochs.slice(sMax - s), options.eta) });
  }
  return brackets;
}

/**
 * The trials of `bracket` that go on from rung `rung` to the next: the best rungs[rung + 1].trials
 * of `results` (the metric each trial reached at rung `rung`'s epochs), ties to the lower trial
 * index; failed runs never. Sorted by trial index. Throws RangeError for the last rung, or for
 * results that are not exactly the trials that trained to this rung.
 */
export function promote(bracket: Bracket, rung: number, results: readonly RungResult[], direction: Direction): number[] {
  const following = bracket.rungs[rung + 1];
  if (!following) throw new RangeError(`rung ${rung} of ${bracket.rungs.length} has no rung after it`);
  if (
    results.length !== bracket.rungs[rung]!.trials ||
    new Set(results.map((r) => r.trial)).size !== results.length ||
    results.some((r) => !bracket.trials.includes(r.trial))
  ) {
    throw new RangeError(`rung ${rung} has ${bracket.rungs[rung]!.trials} trials of this bracket, each with one result; got ${results.length}`);
  }
  const sign = direction === 'maximize' ? -1 : 1;
  const finite = results.filter((r): r is { trial: number; value: number } => r.value !== null && !Number.isNaN(r.value));
  const ranked = [...finite].sort((a, b) => sign * a.value - sign * b.value || a.trial - b.trial);
  return ranked
    .slice(0, following.trials)
    .map((r) => r.trial)
    .sort((a, b) => a - b);
}

/** Epochs a bracket trains when promoted trials continue from their checkpoints: Σ_k n_k·(e_k − e_{k−1}), e_{−1} = 0. */
export function bracketEpochs(bracket: Bracket): number {
  return bracket.rungs.reduce((sum, r, k) => sum + r.trials * (r.epochs - (k === 0 ? 0 : bracket.rungs[k - 1]!.epochs)), 0);
}

/** Epochs the same bracket would train if every promoted trial restarted from scratch, as in Li et al.: Σ_k n_k·e_k. */
export function restartEpochs(bracket: Bracket): number {
  return bracket.rungs.reduce((sum, r) => sum + r.trials * r.epochs, 0);
}
