import type { Rng } from '../core/rng.ts';
import { normalMass, normalQuantile, normalCdf } from './normal.ts';

/**
 * TPE's univariate Parzen estimators, as Optuna's `_ParzenEstimator` builds them with its default
 * settings (consider_prior, prior_weight 1, consider_magic_clip, consider_endpoints false) after
 * Bergstra, Bardenet, Bengio & Kégl, "Algorithms for Hyper-Parameter Optimization", NeurIPS 2011,
 * §4: a mixture with one kernel per observation plus one prior kernel.
 */

export interface EstimatorOptions {
  /** Weight of the prior kernel against the observations' (Optuna's prior_weight). */
  priorWeight: number;
}

export const DEFAULT_ESTIMATOR_OPTIONS: EstimatorOptions = { priorWeight: 1 };

/**
 * A mixture of Gaussians truncated to [low − step/2, high + step/2] in the internal space (the
 * logarithm for log_uniform); `step` 1 for integers, whose values are rounded and whose density
 * is the mass of [x − ½, x + ½], 0 for reals.
 */
export interface NumericMixture {
  readonly kind: 'numeric';
  readonly weights: readonly number[];
  readonly mus: readonly number[];
  readonly sigmas: readonly number[];
  readonly low: number;
  readonly high: number;
  readonly step: 0 | 1;
  /** log of each kernel's mass on the truncation interval, computed once: every density divides by it. */
  readonly logMasses: readonly number[];
  /** For reals, −log(σ_k·√(2π)) − logMasses[k]: the kernel's log density is this − z²/2. */
  readonly logScales: readonly number[];
  /** For integers over at most TABULATED_VALUES values, kernel k's log probability of low + i at [k][i], computed once. */
  readonly table: readonly Float64Array[] | null;
}

/** Integer ranges up to this many values have their kernels' probabilities tabulated (two erfc per lookup saved). */
const TABULATED_VALUES = 1024;

/** A mixture of categorical distributions over n choices (indices); `probabilities[k]` is kernel k's. */
export interface CategoricalMixture {
  readonly kind: 'categorical';
  readonly weights: readonly number[];
  readonly probabilities: readonly (readonly number[])[];
}

export type Mixture = NumericMixture | CategoricalMixture;

/**
 * Optuna's default_weights: 1 for each of the latest 25 observations, a ramp from 1/n to 1 for the
 * older ones (Bergstra et al. 2013, "Making a science of model search", §2.3's discount of old
 * trials), for observations in trial order.
 */
export function observationWeights(n: number): number[] {
  if (n < 25) return Array.from({ length: n }, () => 1);
  const ramp = n - 25;
  // numpy.linspace(1/n, 1, ramp): evenly spaced, both ends included.
  const out = Array.from({ length: ramp }, (_, i) => (ramp === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (ramp - 1)));
  return [...out, ...Array.from({ length: 25 }, () => 1)];
}

/** Mixture weights: the observations' (observationWeights) and the prior's, normalised to sum 1. */
function mixtureWeights(n: number, options: EstimatorOptions): number[] {
  const raw = [...observationWeights(n), options.priorWeight];
  const total = raw.reduce((s, w) => s + w, 0);
  return raw.map((w) => w / total);
}

/**
 * The estimator of a numeric dimension from observations in internal space (in trial order).
 * Bandwidths (Optuna 5, parzen_estimator.py, univariate case): with the observations sorted
 * between the two endpoints, each kernel's σ is the larger distance to its neighbours; without
 * consider_endpoints the first and last take the distance to their inner neighbour only. The
 * "magic clip" bounds σ to [range / min(100, 1 + kernels), range] (kernels: the observations and
 * the prior). The prior kernel has mean (low + high)/2 and σ = range (Bergstra et al. 2011 §4.1:
 * a "prior" Gaussian as wide as the space).
 * Optuna 5 uses this rule in multivariate TPE too (its _ParzenEstimatorParameters.multivariate is
 * kept but unused); Optuna 4 gave every kernel there one σ = 0.2·n^(−1/(d+4))·range, after Scott's
 * rule. test/unit/search/parzen-optuna.test.ts holds these estimators to values Optuna computed.
 */
export function numericEstimator(observations: readonly number[], low: number, high: number, step: 0 | 1, options = DEFAULT_ESTIMATOR_OPTIONS): NumericMixture {
  const lower = low - step / 2;
  const upper = high + step / 2;
  const range = upper - lower;
  const priorMu = 0.5 * (low + high);
  const order = observations.map((_, i) => i).sort((i, j) => observations[i]! - observations[j]! || i - j);
  const sorted = [lower, ...order.map((i) => observations[i]!), upper];
  const sortedSigmas = order.map((_, k) => Math.max(sorted[k + 1]! - sorted[k]!, sorted[k + 2]! - sorted[k + 1]!));
  if (sorted.length >= 4) {
    sortedSigmas[0] = sorted[2]! - sorted[1]!;
    sortedSigmas[sortedSigmas.length - 1] = sorted[sorted.length - 2]! - sorted[sorted.length - 3]!;
  }
  const minSigma = range / Math.min(100, 1 + observations.length + 1);
  const sigmas = new Array<number>(observations.length);
  order.forEach((i, k) => {
    sigmas[i] = Math.min(range, Math.max(minSigma, sortedSigmas[k]!));
  });
  const mus = [...observations, priorMu];
  const allSigmas = [...sigmas, range];
  const logMasses = mus.map((mu, k) => Math.log(normalMass((lower - mu) / allSigmas[k]!, (upper - mu) / allSigmas[k]!)));
  const logScales = allSigmas.map((sigma, k) => -Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) - logMasses[k]!);
  const mixture: NumericMixture = {
    kind: 'numeric',
    weights: mixtureWeights(observations.length, options),
    mus,
    sigmas: allSigmas,
    low,
    high,
    step,
    logMasses,
    logScales,
    table: null,
  };
  if (step === 0 || high - low + 1 > TABULATED_VALUES) return mixture;
  const table = mus.map((_, k) => Float64Array.from({ length: high - low + 1 }, (_, i) => integerLogProbability(mixture, k, low + i)));
  return { ...mixture, table };
}

/**
 * The estimator of a choice among n values from observed indices (in trial order). Each of the
 * k = observations + 1 kernels puts prior_weight / k on every choice and, for an observation's
 * kernel, 1 more on the observed one, normalised (Optuna, `_calculate_categorical_distributions`);
 * the prior kernel is therefore uniform.
 */
export function categoricalEstimator(observations: readonly number[], n: number, options = DEFAULT_ESTIMATOR_OPTIONS): CategoricalMixture {
  const kernels = observations.length + 1;
  const base = options.priorWeight / kernels;
  const row = (observed: number | null) => {
    const p = Array.from({ length: n }, (_, c) => base + (c === observed ? 1 : 0));
    const total = p.reduce((s, x) => s + x, 0);
    return p.map((x) => x / total);
  };
  return { kind: 'categorical', weights: mixtureWeights(observations.length, options), probabilities: [...observations.map(row), row(null)] };
}

/** One draw from the mixture (internal value; an index for a categorical one), using two uniforms of `rng`. */
export function sampleMixture(mixture: Mixture, rng: Rng): number {
  return sampleKernel(mixture, pick(mixture.weights, rng.uniform()), rng);
}

/** One draw from kernel `k` of the mixture, using one uniform of `rng`. */
export function sampleKernel(mixture: Mixture, k: number, rng: Rng): number {
  const u = rng.uniform();
  if (mixture.kind === 'categorical') return pick(mixture.probabilities[k]!, u);
  const mu = mixture.mus[k]!;
  const sigma = mixture.sigmas[k]!;
  const lower = mixture.low - mixture.step / 2;
  const upper = mixture.high + mixture.step / 2;
  // Inverse-CDF draw from N(μ, σ²) truncated to [lower, upper]: Φ⁻¹ of a uniform between Φ(a) and Φ(b).
  const a = normalCdf((lower - mu) / sigma);
  const b = normalCdf((upper - mu) / sigma);
  const x = Math.min(upper, Math.max(lower, mu + sigma * normalQuantile(a + u * (b - a))));
  if (mixture.step === 0) return x;
  return Math.min(mixture.high, Math.max(mixture.low, mixture.low + Math.round(x - mixture.low)));
}

/** log of kernel k's density (a probability for integers and choices) at an internal value. */
export function kernelLogDensity(mixture: Mixture, k: number, x: number): number {
  if (mixture.kind === 'categorical') return Math.log(mixture.probabilities[k]![x]!);
  return numericKernelLogDensity(mixture, k, x);
}

/** The index of a component drawn by the mixture's weights from one uniform. */
export function pickKernel(mixture: Mixture, u: number): number {
  return pick(mixture.weights, u);
}

/** log of the mixture's density (a probability for integers and choices) at an internal value. */
export function logDensity(mixture: Mixture, x: number): number {
  // A log-sum-exp over the kernels into a reused buffer: TPE calls this 2·candidates times per
  // dimension and proposal, and allocating the terms each time doubled a search's time.
  const n = mixture.weights.length;
  if (scratch.length < n) scratch = new Float64Array(2 * n);
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    const t = Math.log(mixture.weights[k]!) + kernelLogDensity(mixture, k, x);
    scratch[k] = t;
    if (t > max) max = t;
  }
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.exp(scratch[k]! - max);
  return max + Math.log(sum);
}

let scratch = new Float64Array(64);

function numericKernelLogDensity(m: NumericMixture, k: number, x: number): number {
  if (m.step === 0) {
    const z = (x - m.mus[k]!) / m.sigmas[k]!;
    return m.logScales[k]! - 0.5 * z * z;
  }
  if (m.table) return m.table[k]![x - m.low]!;
  return integerLogProbability(m, k, x);
}

/** log of kernel k's mass on [x − ½, x + ½] (within the truncation interval) over its mass on that interval. */
function integerLogProbability(m: NumericMixture, k: number, x: number): number {
  const mu = m.mus[k]!;
  const sigma = m.sigmas[k]!;
  const from = Math.max(m.low - 0.5, x - 0.5);
  const to = Math.min(m.high + 0.5, x + 0.5);
  return Math.log(normalMass((from - mu) / sigma, (to - mu) / sigma)) - m.logMasses[k]!;
}

/** The index i with Σ_{j<i} p_j ≤ u·Σp < Σ_{j≤i} p_j (the last one if rounding leaves u past the end). */
function pick(probabilities: readonly number[], u: number): number {
  const total = probabilities.reduce((s, p) => s + p, 0);
  let target = u * total;
  for (let i = 0; i < probabilities.length; i++) {
    target -= probabilities[i]!;
    if (target < 0) return i;
  }
  return probabilities.length - 1;
}
