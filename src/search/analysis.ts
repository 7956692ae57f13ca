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

/** A parameter's first-order share of the metric's variance, and what chance alone would give. */
export interface Importance {
  name: string;
  /** η² = between-group variance / total variance, with the trials grouped by this parameter. */
  share: number;
  /** E[η²] for a parameter unrelated to the metric with the same groups: (groups − 1) / (trials − 1). */
  chance: number;
  groups: number;
}

/**
 * The main effect of each parameter: the trials grouped by its value (a `choice`) or by equal-count
 * bins of it (quantiles, in log space for `log_uniform`), the share of the metric's variance that
 * the group means explain (the correlation ratio η²). It is the first-order term of a functional
 * ANOVA (Hutter et al., ICML 2014) taken on the trials themselves rather than on a surrogate model;
 * with few trials it is noisy, so each share comes with its chance level, (k − 1)/(n − 1) for k
 * groups of n trials, the expected η² of a parameter that does not matter.
 */
export function parameterImportance(dimensions: readonly Dimension[], trials: readonly { configuration: Configuration; value: number }[]): Importance[] {
  const n = trials.length;
  const values = trials.map((t) => t.value);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const total = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return dimensions.map((d) => {
    const group = groupOf(
      d,
      trials.map((t) => t.configuration[d.name]),
      n,
    );
    const sums = new Map<number, { sum: number; count: number }>();
    group.forEach((g, i) => {
      const s = sums.get(g) ?? { sum: 0, count: 0 };
      s.sum += values[i]!;
      s.count++;
      sums.set(g, s);
    });
    let between = 0;
    for (const { sum, count } of sums.values()) between += count * (sum / count - mean) ** 2;
    const k = sums.size;
    return { name: d.name, share: total > 0 ? between / total : 0, chance: n > 1 ? (k - 1) / (n - 1) : 0, groups: k };
  });
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
