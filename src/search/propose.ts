import type { Direction } from './direction.ts';
import { freshConfiguration } from './distinct.ts';
import { bracketEpochs, pruningBrackets, type Bracket, type PrunerOptions } from './pruning.ts';
import { SobolSequence } from './sobol.ts';
import { configurationAt, configurationKey, spaceSize, type Configuration, type Space } from './space.ts';
import { STREAMS, streamRng } from './streams.ts';
import { DEFAULT_TPE_OPTIONS, tpeProposal, type Observation, type TpeOptions } from './tpe.ts';

/**
 * What a search proposes, as a pure function of the space, the search's settings and the results
 * of earlier rounds: no clock, no global randomness, no I/O. The runner keeps nothing else: the
 * results store is the study, and a rerun recomputes every proposal from it.
 */

export type SearchMethod = 'random' | 'sobol' | 'tpe';

export interface SearchOptions {
  method: SearchMethod;
  /** Configurations proposed in all; at most spaceSize(space) (see plannedTrials). */
  trials: number;
  /** tpe: proposals per round. random and sobol do not look at results: all their trials form one round. */
  batch: number;
  /** The search's own seed (the runs keep theirs). */
  seed: number;
  direction: Direction;
  tpe?: TpeOptions;
  /** Pruning: the rungs each round's trials train to (see searchRounds and roundBrackets). */
  pruner?: PrunerOptions | null;
}

/** One proposal: trial `trial` (from 0, over the whole search) and its configuration. */
export interface Proposal {
  trial: number;
  configuration: Configuration;
  /** configurationKey(configuration): equal for equal configurations. */
  key: string;
}

/** A trial's outcome: its metric (null for a failed or diverged run) and, with pruning, the rung it reached. */
export interface TrialResult {
  trial: number;
  configuration: Configuration;
  value: number | null;
  rung?: number;
}

/**
 * The number of trials a search can have: `trials`, capped at the number of distinct
 * configurations of a discrete space (proposing more would repeat runs). `capped` tells the caller
 * to warn.
 */
export function plannedTrials(space: Space, trials: number): { trials: number; capped: boolean } {
  const size = spaceSize(space);
  return trials > size ? { trials: size, capped: true } : { trials, capped: false };
}

/**
 * The rounds of a search, each a range of trial indices. random and sobol: one round of every
 * trial (they never look at results). tpe: rounds of `batch`; with Hyperband, its brackets are the
 * rounds instead (each bracket is proposed from the results of the brackets before it).
 */
export function searchRounds(options: Pick<SearchOptions, 'method' | 'trials' | 'batch' | 'pruner'>): { start: number; count: number }[] {
  if (options.method === 'tpe' && options.pruner?.method === 'hyperband') {
    return hyperbandBrackets(options.pruner, options.trials).map((b) => ({ start: b.trials[0]!, count: b.trials.length }));
  }
  const size = options.method === 'tpe' ? options.batch : options.trials;
  if (!(size >= 1)) throw new RangeError(`a round has at least one trial, got ${size}`);
  const rounds: { start: number; count: number }[] = [];
  for (let start = 0; start < options.trials; start += size) rounds.push({ start, count: Math.min(size, options.trials - start) });
  return rounds;
}

/**
 * The pruning brackets of round `round` (none without a pruner): random and sobol schedule all
 * their trials at once (successive halving: one bracket; Hyperband: its brackets in trial order);
 * tpe's rounds are one bracket each (successive halving over the round, or the round's Hyperband
 * bracket).
 */
export function roundBrackets(options: Pick<SearchOptions, 'method' | 'trials' | 'batch' | 'pruner'>, round: number): Bracket[] {
  const rounds = searchRounds(options);
  const current = rounds[round];
  if (!current) throw new RangeError(`round ${round} does not exist: the search has ${rounds.length}`);
  if (!options.pruner) return [];
  if (options.method === 'tpe' && options.pruner.method === 'hyperband') return [hyperbandBrackets(options.pruner, options.trials)[round]!];
  return pruningBrackets(
    options.pruner,
    Array.from({ length: current.count }, (_, i) => current.start + i),
  );
}

/** Epochs the search trains in all (promoted trials continuing from their checkpoints), and without pruning (every trial to max_epochs); null without a pruner. */
export function searchEpochs(options: Pick<SearchOptions, 'method' | 'trials' | 'batch' | 'pruner'>): { pruned: number; unpruned: number } | null {
  if (!options.pruner) return null;
  const brackets = searchRounds(options).flatMap((_, round) => roundBrackets(options, round));
  return { pruned: brackets.reduce((sum, b) => sum + bracketEpochs(b), 0), unpruned: options.trials * options.pruner.maxEpochs };
}

function hyperbandBrackets(pruner: PrunerOptions, trials: number): Bracket[] {
  return pruningBrackets(
    pruner,
    Array.from({ length: trials }, (_, i) => i),
  );
}

/**
 * The proposals of round `round`: a pure function of the space, the options and the results of
 * the trials of earlier rounds, which `results` must hold, every one (later trials are not
 * allowed: round r never depends on them). No two proposals of a search have the same
 * configuration. Throws RangeError for a round that does not exist, results that do not match the
 * earlier rounds, or more trials than the space has configurations.
 */
export function proposeRound(space: Space, options: SearchOptions, round: number, results: readonly TrialResult[]): Proposal[] {
  const rounds = searchRounds(options);
  const current = rounds[round];
  if (!current) throw new RangeError(`round ${round} does not exist: the search has ${rounds.length}`);
  if (options.trials > spaceSize(space))
    throw new RangeError(`${options.trials} trials asked of a space of ${spaceSize(space)} configurations: cap them with plannedTrials`);
  const earlier = [...results].sort((a, b) => a.trial - b.trial);
  if (earlier.length !== current.start || earlier.some((r, i) => r.trial !== i)) {
    throw new RangeError(`round ${round} needs the results of trials 0 to ${current.start - 1}, each once; got ${earlier.length} results`);
  }
  const end = current.start + current.count;
  if (options.method === 'random') return randomProposals(space, options.seed, end).slice(current.start);
  if (options.method === 'sobol') return sobolProposals(space, options.seed, end).slice(current.start);

  const tpe = options.tpe ?? DEFAULT_TPE_OPTIONS;
  const sign = options.direction === 'maximize' ? -1 : 1;
  const observations: Observation[] = earlier.map((r) => ({
    trial: r.trial,
    configuration: r.configuration,
    rung: r.rung ?? 0,
    loss: r.value === null || Number.isNaN(r.value) ? null : sign * r.value,
  }));
  // Startup: random proposals until startupTrials trials have a result (Optuna's n_startup_trials).
  // Every round before this one was random too, so they are the random stream's first trials.
  if (observations.filter((o) => o.loss !== null).length < tpe.startupTrials) return randomProposals(space, options.seed, end).slice(current.start);
  const taken = new Set(earlier.map((r) => configurationKey(r.configuration)));
  const proposals: Proposal[] = [];
  for (let trial = current.start; trial < end; trial++) {
    // The round's earlier proposals are "running" (Optuna's constant liar): the batch spreads out
    // instead of proposing the same region `batch` times, and still depends on nothing but earlier rounds.
    const running = proposals.map((p): Observation => ({ trial: p.trial, configuration: p.configuration, loss: null, rung: 0, running: true }));
    const configuration = tpeProposal(space, [...observations, ...running], taken, streamRng(options.seed, STREAMS.tpe, trial), tpe);
    const key = configurationKey(configuration);
    taken.add(key);
    proposals.push({ trial, configuration, key });
  }
  return proposals;
}

/** The first `count` distinct configurations of the seeded uniform stream. */
export function randomProposals(space: Space, seed: number, count: number): Proposal[] {
  const rng = streamRng(seed, STREAMS.random);
  const draw = () =>
    configurationAt(
      space,
      space.dimensions.map(() => rng.uniform()),
    );
  return distinctProposals(space, draw, count, seed);
}

/** The first `count` distinct configurations of the scrambled Sobol sequence (points 0, 1, …; a point repeating an earlier configuration is skipped). */
export function sobolProposals(space: Space, seed: number, count: number): Proposal[] {
  const sequence = new SobolSequence(space.dimensions.length, streamRng(seed, STREAMS.sobolScramble));
  let index = 0;
  const draw = () => configurationAt(space, sequence.point(index++));
  return distinctProposals(space, draw, count, seed);
}

function distinctProposals(space: Space, draw: () => Configuration, count: number, seed: number): Proposal[] {
  const fallback = streamRng(seed, STREAMS.fallback);
  const taken = new Set<string>();
  const proposals: Proposal[] = [];
  for (let trial = 0; trial < count; trial++) {
    const configuration = freshConfiguration(space, draw, taken, fallback);
    const key = configurationKey(configuration);
    taken.add(key);
    proposals.push({ trial, configuration, key });
  }
  return proposals;
}
