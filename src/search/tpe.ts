import type { Rng } from '../core/rng.ts';
import { freshConfiguration } from './distinct.ts';
import {
  categoricalEstimator,
  DEFAULT_ESTIMATOR_OPTIONS,
  kernelLogDensity,
  logDensity,
  numericEstimator,
  pickKernel,
  sampleKernel,
  sampleMixture,
  type EstimatorOptions,
  type Mixture,
} from './parzen.ts';
import { choiceIndex, configurationAt, configurationKey, continuous, type Configuration, type Dimension, type Space } from './space.ts';

/**
 * The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio & Kégl, "Algorithms for
 * Hyper-Parameter Optimization", NeurIPS 2011, §4) with Optuna 5's TPESampler defaults:
 * multivariate (one product kernel per trial), or univariate (each dimension proposed on its own).
 */

export interface TpeOptions extends EstimatorOptions {
  /** Trials proposed at random before TPE takes over (Optuna's n_startup_trials). */
  startupTrials: number;
  /** Draws from l(x) among which the best l(x)/g(x) is taken (Optuna's n_ei_candidates). */
  candidates: number;
  /**
   * One kernel per observation over all dimensions (a product of the per-dimension kernels, one
   * mixture over the trials), rather than one mixture per dimension: Optuna's default for a single
   * objective since v5 (multivariate TPE, Falkner, Klein & Hutter, "BOHB", ICML 2018, §3.1), and
   * what lets it follow a valley across dimensions (Hartmann-6's regret at 60 trials drops by half).
   */
  multivariate: boolean;
}

export const DEFAULT_TPE_OPTIONS: TpeOptions = { ...DEFAULT_ESTIMATOR_OPTIONS, startupTrials: 10, candidates: 24, multivariate: true };

/** A finished trial as TPE sees it: lower `loss` is better; null for a failed or diverged run. */
export interface Observation {
  trial: number;
  configuration: Configuration;
  loss: number | null;
  /** The pruning rung the trial reached (0 without pruning): a trial that went further ranks above one stopped earlier. */
  rung: number;
  /** A proposal of the current round, not trained yet: Optuna's constant liar (its default since v5) counts it as bad. */
  running?: boolean;
}

/** How many observations form the "good" group l(x): Optuna's default_gamma, min(⌈0.1·n⌉, 25). */
export function goodCount(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * The observations split into the good group (the goodCount(n) best) and the rest, each in trial
 * order (the order the weights of old trials ramp down in). Best: the furthest rung, then the
 * lowest loss, then the lowest trial index (Optuna sorts complete trials by value, then pruned ones
 * by the step they reached, with a stable sort: ties go to the earlier trial). Running trials
 * (earlier proposals of the same round) are bad and do not count in n. Failed trials
 * (loss null) rank last: unlike Optuna, which leaves them out, they count as bad, so a region where
 * runs diverge is not proposed again and again.
 */
export function splitObservations(observations: readonly Observation[]): { good: Observation[]; bad: Observation[] } {
  const finished = observations.filter((o) => !o.running);
  const ranked = finished.sort((a, b) => b.rung - a.rung || lossOrder(a.loss, b.loss) || a.trial - b.trial);
  const n = goodCount(finished.length);
  const byTrial = (x: Observation, y: Observation) => x.trial - y.trial;
  const running = observations.filter((o) => o.running);
  return { good: ranked.slice(0, n).sort(byTrial), bad: [...ranked.slice(n), ...running].sort(byTrial) };
}

function lossOrder(a: number | null, b: number | null): number {
  if (a === null || Number.isNaN(a)) return b === null || Number.isNaN(b) ? 0 : 1;
  if (b === null || Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One TPE proposal: `candidates` draws from l(x), the estimator of the good observations (of all
 * dimensions at once, or of each on its own), and the one with the largest log l(x) − log g(x),
 * the expected-improvement criterion of Bergstra et al. 2011 eq. (3)–(4)
 * (EI ∝ (γ + g/l · (1 − γ))⁻¹), the first on a tie.
 * A configuration already in `taken` is replaced by a new random one (the runner would otherwise
 * train the same run again and learn nothing). `rng` is this proposal's own stream.
 */
export function tpeProposal(
  space: Space,
  observations: readonly Observation[],
  taken: ReadonlySet<string>,
  rng: Rng,
  options = DEFAULT_TPE_OPTIONS,
): Configuration {
  const values = options.multivariate ? multivariateValues(space, observations, rng, options) : univariateValues(space, observations, rng, options);
  if (!taken.has(configurationKey(values))) return values;
  return freshConfiguration(
    space,
    () =>
      configurationAt(
        space,
        space.dimensions.map(() => rng.uniform()),
      ),
    taken,
    rng,
  );
}

/** Each dimension on its own: its candidates from its l, judged by its l/g. */
function univariateValues(space: Space, observations: readonly Observation[], rng: Rng, options: TpeOptions): Configuration {
  const { good, bad } = splitObservations(observations);
  return Object.fromEntries(
    space.dimensions.map((d) => {
      const l = estimator(d, good, options);
      const g = estimator(d, bad, options);
      let best = Number.NaN;
      let bestScore = -Infinity;
      for (let c = 0; c < options.candidates; c++) {
        const x = sampleMixture(l, rng);
        const score = logDensity(l, x) - logDensity(g, x);
        if (Number.isNaN(best) || score > bestScore) {
          best = x;
          bestScore = score;
        }
      }
      return [d.name, external(d, best)];
    }),
  );
}

/**
 * All dimensions at once: a candidate draws one good trial's kernel by the mixture weights and
 * each coordinate from that kernel; its score is log l(x) − log g(x) with l and g mixtures of
 * product kernels, log Σ_k w_k Π_d p_kd(x_d). Only observations whose every value is in the space
 * take part (as Optuna keeps the trials that have every parameter).
 */
function multivariateValues(space: Space, observations: readonly Observation[], rng: Rng, options: TpeOptions): Configuration {
  if (space.dimensions.length === 0) return {};
  const complete = observations.filter((o) => space.dimensions.every((d) => internal(d, o.configuration[d.name]) !== null));
  const { good, bad } = splitObservations(complete);
  const l = space.dimensions.map((d) => estimator(d, good, options));
  const g = space.dimensions.map((d) => estimator(d, bad, options));
  let best: number[] = [];
  let bestScore = -Infinity;
  for (let c = 0; c < options.candidates; c++) {
    const k = pickKernel(l[0]!, rng.uniform());
    const x = l.map((m) => sampleKernel(m, k, rng));
    const score = jointLogDensity(l, x) - jointLogDensity(g, x);
    if (c === 0 || score > bestScore) {
      best = x;
      bestScore = score;
    }
  }
  return Object.fromEntries(space.dimensions.map((d, i) => [d.name, external(d, best[i]!)]));
}

/** log Σ_k w_k Π_d p_kd(x_d) over mixtures that share their weights (one kernel per observation and the prior). */
export function jointLogDensity(mixtures: readonly Mixture[], x: readonly number[]): number {
  const weights = mixtures[0]!.weights;
  if (terms.length < weights.length) terms = new Float64Array(2 * weights.length);
  let max = -Infinity;
  for (let k = 0; k < weights.length; k++) {
    let t = Math.log(weights[k]!);
    for (let d = 0; d < mixtures.length; d++) t += kernelLogDensity(mixtures[d]!, k, x[d]!);
    terms[k] = t;
    if (t > max) max = t;
  }
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let k = 0; k < weights.length; k++) sum += Math.exp(terms[k]! - max);
  return max + Math.log(sum);
}

/** Scratch space of jointLogDensity, reused: it runs 2·candidates times per proposal. */
let terms = new Float64Array(64);

/** The Parzen estimator of dimension `d` over the observations (in trial order) that have a value in it. */
export function estimator(d: Dimension, observations: readonly Observation[], options: EstimatorOptions = DEFAULT_ESTIMATOR_OPTIONS): Mixture {
  const points = observations.map((o) => internal(d, o.configuration[d.name])).filter((x): x is number => x !== null);
  switch (d.kind) {
    case 'uniform':
      return numericEstimator(points, d.low, d.high, 0, options);
    case 'log_uniform':
      return numericEstimator(points, Math.log(d.low), Math.log(d.high), 0, options);
    case 'int_uniform':
      return numericEstimator(points, d.low, d.high, 1, options);
    case 'choice':
      return categoricalEstimator(points, d.values.length, options);
  }
}

/** A value in TPE's internal space: the logarithm for log_uniform, the index for a choice; null when the value is not in the space (a trial of an edited space). */
function internal(d: Dimension, value: unknown): number | null {
  if (d.kind === 'choice') {
    const index = choiceIndex(d, value);
    return index < 0 ? null : index;
  }
  if (typeof value !== 'number' || value < d.low || value > d.high) return null;
  return d.kind === 'log_uniform' ? Math.log(value) : value;
}

function external(d: Dimension, x: number): unknown {
  switch (d.kind) {
    case 'uniform':
      return continuous(d, x);
    case 'log_uniform':
      return continuous(d, Math.exp(x));
    case 'int_uniform':
      return x;
    case 'choice':
      return d.values[x];
  }
}
