import type { Direction } from './direction.ts';
import { configurationKey, type Configuration, type Dimension } from './space.ts';

/**
 * What a finished search says beyond its best trial: how the best would grow with more trials,
 * and which parameters the metric depends on. Pure functions of the trials' results.
 */

/**
 * Expected best validation score after `n` trials, for n = 1 … values.length: the expected
 * maximum (minimum, when minimising) of n draws from the empirical distribution of the observed
 * values (Dodge et al., "Show Your Work", EMNLP 2019, eq. 1):
 *   E[max_n] = Σ_i v_(i) · ((i/N)^n − ((i−1)/N)^n),  v_(1) ≤ … ≤ v_(N).
 * It tells whether the budget was enough: a curve still rising at N wants more trials.
 */
export function expectedBest(values: readonly number[], direction: Direction): number[] {
  const sorted = [...values].sort((a, b) => (direction === 'maximize' ? a - b : b - a));
  const N = sorted.length;
  const curve: number[] = [];
  for (let n = 1; n <= N; n++) {
    let sum = 0;
    for (let i = 1; i <= N; i++) sum += sorted[i - 1]! * ((i / N) ** n - ((i - 1) / N) ** n);
    curve.push(sum);
  }
  return curve;
}

/** A parameter's first-order share of the metric's variance, and what chance and seed noise alone would give. */
export interface Importance {
  name: string;
  /** η² = between-group variance / total variance, with the trials grouped by this parameter. */
  share: number;
  /** E[η²] for a parameter unrelated to the metric with the same groups: (groups − 1) / (trials − 1). */
  chance: number;
  /**
   * The seed-noise floor: the η² that the seed-to-seed noise of the trials' means alone would give
   * these groups, against the spread the trials' means have (seedNoiseFloor). Null without trials
   * of 2 or more seeds, which alone measure the noise.
   */
  noise: number | null;
  groups: number;
}

/** A trial as importance reads it: its settings, its metric (the mean over its seeds) and, when it has them, each seed's value. */
export interface ScoredTrial {
  configuration: Configuration;
  value: number;
  seeds?: readonly number[];
}

/**
 * The main effect of each parameter: the trials grouped by its value (a `choice`) or by equal-count
 * bins of it (quantiles, in log space for `log_uniform`), the share of the metric's variance that
 * the group means explain (the correlation ratio η²). It is the first-order term of a functional
 * ANOVA (Hutter et al., ICML 2014) taken on the trials themselves rather than on a surrogate model;
 * with few trials it is noisy, so each share comes with its chance level, (k − 1)/(n − 1) for k
 * groups of n trials, the expected η² of a parameter that does not matter, and with repeated
 * seeds its seed-noise floor.
 */
export function parameterImportance(dimensions: readonly Dimension[], trials: readonly ScoredTrial[]): Importance[] {
  const n = trials.length;
  const values = trials.map((t) => t.value);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const total = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  const variances = meanNoiseVariances(trials);
  return dimensions.map((d) => {
    const group = groupOf(
      d,
      trials.map((t) => t.configuration[d.name]),
      n,
    );
    const sums = new Map<number, { sum: number; count: number; noise: number }>();
    group.forEach((g, i) => {
      const s = sums.get(g) ?? { sum: 0, count: 0, noise: 0 };
      s.sum += values[i]!;
      s.count++;
      s.noise += variances?.[i] ?? 0;
      sums.set(g, s);
    });
    let between = 0;
    for (const { sum, count } of sums.values()) between += count * (sum / count - mean) ** 2;
    const k = sums.size;
    return {
      name: d.name,
      share: total > 0 ? between / total : 0,
      chance: n > 1 ? (k - 1) / (n - 1) : 0,
      noise: variances ? seedNoiseFloor([...sums.values()], n, total) : null,
      groups: k,
    };
  });
}

/**
 * The noise variance of each trial's mean, v_i = s²_w / m_i: s²_w is the within-trial variance
 * pooled over the trials of m_i ≥ 2 seeds, Σ_i Σ_s (y_is − ȳ_i)² / Σ_i (m_i − 1), an unbiased
 * estimate of the seed-to-seed variance σ² when it is the same for every trial (one network, one
 * data set: the seeds change the initialisation and the batches). Null when no trial has 2 seeds.
 */
function meanNoiseVariances(trials: readonly ScoredTrial[]): number[] | null {
  let squares = 0;
  let dof = 0;
  for (const { seeds } of trials) {
    if (!seeds || seeds.length < 2) continue;
    const m = seeds.reduce((a, b) => a + b, 0) / seeds.length;
    squares += seeds.reduce((a, y) => a + (y - m) ** 2, 0);
    dof += seeds.length - 1;
  }
  if (dof === 0) return null;
  const within = squares / dof;
  return trials.map((t) => within / Math.max(1, t.seeds?.length ?? 1));
}

/**
 * The η² that seed noise alone would give k groups: if the trials' means were ȳ_i = μ + e_i with
 * independent noise e_i of variance v_i (nothing else varying), the between-group sum of squares
 * SS_b = Σ_g n_g (ē_g − ē)² would have the expectation
 *   E[SS_b] = Σ_g V_g / n_g − V / n,   V_g = Σ_{i∈g} v_i,  V = Σ_i v_i,
 * (from Var(ē_g) = V_g/n_g², Cov(ē_g, ē) = V_g/(n_g n), Var(ē) = V/n²), which is (k − 1)·σ²/m for
 * m seeds per trial. Divided by the observed total sum of squares of the means, SS_t = Σ (ȳ_i − ȳ)²,
 * it is the share of the observed variance that noise of the measured size would put between the
 * groups. When the means vary by noise alone, SS_t ≈ (n − 1)σ²/m and the floor is about the chance
 * level (k − 1)/(n − 1); when the metric depends on the settings, SS_t is larger and the floor
 * lower. A share below its floor could come from rerunning the same trials on other seeds.
 */
function seedNoiseFloor(groups: readonly { count: number; noise: number }[], n: number, total: number): number {
  const all = groups.reduce((a, g) => a + g.noise, 0);
  const expected = groups.reduce((a, g) => a + g.noise / g.count, 0) - all / n;
  if (!(total > 0)) return expected > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, expected / total));
}

/** Each trial's group for one parameter: its value's index for a choice, else its quantile bin. */
function groupOf(d: Dimension, raw: readonly unknown[], n: number): number[] {
  if (d.kind === 'choice') {
    const keys = d.values.map((v) => configurationKey({ v }));
    return raw.map((v) => keys.indexOf(configurationKey({ v })));
  }
  const x = raw.map((v) => (d.kind === 'log_uniform' ? Math.log(v as number) : (v as number)));
  // About √n trials a bin, between 2 and 5 bins: enough trials per mean to mean something.
  const bins = Math.max(2, Math.min(5, Math.floor(Math.sqrt(n))));
  // A few distinct values (an int_uniform over 1..3): a group each, rather than bins that split equal values.
  const distinct = [...new Set(x)].sort((a, b) => a - b);
  if (distinct.length <= bins) return x.map((v) => distinct.indexOf(v));
  const order = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]! || a - b);
  const group = new Array<number>(n);
  order.forEach((i, rank) => {
    group[i] = Math.min(bins - 1, Math.floor((rank * bins) / n));
  });
  return group;
}
