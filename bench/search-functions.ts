import {
  proposeRound,
  searchRounds,
  searchSpace,
  type Configuration,
  type Dimension,
  type SearchMethod,
  type Space,
  type TrialResult,
} from '../src/search/index.ts';

/**
 * Standard test functions for the samplers, evaluated without training: the same definitions as
 * bench/search_optuna.py gives Optuna. Each is minimised; `minimum` is its known global minimum.
 */
export interface TestFunction {
  name: string;
  dimensions: Dimension[];
  minimum: number;
  evaluate(x: Configuration): number;
}

const num = (x: Configuration, name: string) => x[name] as number;

/** Branin–Hoo on [−5, 10] × [0, 15] (Dixon & Szegő 1978): three global minima of 0.397887. */
export const BRANIN: TestFunction = {
  name: 'branin',
  dimensions: [
    { name: 'x1', kind: 'uniform', low: -5, high: 10 },
    { name: 'x2', kind: 'uniform', low: 0, high: 15 },
  ],
  minimum: 0.397887357729739,
  evaluate(x) {
    const x1 = num(x, 'x1');
    const x2 = num(x, 'x2');
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

/** Hartmann-6 on [0, 1]^6 (Dixon & Szegő 1978): global minimum −3.32237. */
export const HARTMANN6: TestFunction = {
  name: 'hartmann6',
  dimensions: Array.from({ length: 6 }, (_, i) => ({ name: `x${i + 1}`, kind: 'uniform', low: 0, high: 1 }) as Dimension),
  minimum: -3.32236801141551,
  evaluate(x) {
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H6_A[i]![j]! * (num(x, `x${j + 1}`) - H6_P[i]![j]!) ** 2;
      sum += H6_ALPHA[i]! * Math.exp(-inner);
    }
    return -sum;
  },
};

const OPTIMIZER_COST: Record<string, number> = { sgd: 0.9, momentum: 0.35, nesterov: 0.3, adam: 0, rmsprop: 0.15, adagrad: 0.6 };

/**
 * A mixed space shaped like a training run's: a learning rate on a log scale (best 0.01), a batch
 * size among powers of two (best 64), an integer width (best 20), a categorical optimizer (adam
 * best) and a real dropout-like rate (best 0.3). Minimum 0.
 */
export const MIXED: TestFunction = {
  name: 'mixed',
  dimensions: [
    { name: 'learning_rate', kind: 'log_uniform', low: 1e-4, high: 1 },
    { name: 'batch_size', kind: 'choice', values: [16, 32, 64, 128, 256] },
    { name: 'width', kind: 'int_uniform', low: 1, high: 32 },
    { name: 'optimizer', kind: 'choice', values: Object.keys(OPTIMIZER_COST) },
    { name: 'rate', kind: 'uniform', low: 0, high: 1 },
  ],
  minimum: 0,
  evaluate(x) {
    return (
      (Math.log10(num(x, 'learning_rate')) + 2) ** 2 / 2 +
      (Math.log2(num(x, 'batch_size')) - 6) ** 2 / 4 +
      ((num(x, 'width') - 20) / 10) ** 2 +
      OPTIMIZER_COST[x.optimizer as string]! +
      2 * (num(x, 'rate') - 0.3) ** 2
    );
  },
};

export const TEST_FUNCTIONS = [BRANIN, HARTMANN6, MIXED];

/** The best value a search of `trials` evaluations of `fn` finds (rounds of `batch` for tpe). */
export function bestFound(fn: TestFunction, method: SearchMethod, seed: number, trials: number, batch = 1, space: Space = searchSpace(fn.dimensions)): number {
  const options = { method, trials, batch, seed, direction: 'minimize' as const };
  const results: TrialResult[] = [];
  searchRounds(options).forEach((_, round) => {
    for (const p of proposeRound(space, options, round, results))
      results.push({ trial: p.trial, configuration: p.configuration, value: fn.evaluate(p.configuration) });
  });
  return Math.min(...results.map((r) => r.value!));
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The distribution-free confidence interval of the median: the order statistics x(k) and
 * x(n + 1 − k), with k the largest for which P(B ≤ k − 1) ≤ (1 − confidence)/2, B ~ Binomial(n, ½)
 * (Conover, "Practical Nonparametric Statistics", 3rd ed., §3.2); for n = 20 and 95%, x(6) and
 * x(15), which cover the median with probability 95.9%. No assumption on the distribution, which
 * for a search's best value is skewed and often bimodal (a local minimum found or not).
 */
export function medianInterval(values: readonly number[], confidence = 0.95): { low: number; high: number } {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  let k = 0;
  let tail = 0; // P(B ≤ k − 1)
  let term = 0.5 ** n; // P(B = k)
  while (k < n && tail + term <= (1 - confidence) / 2) {
    tail += term;
    term *= (n - k) / (k + 1);
    k++;
  }
  // k = 0 when n is too small for the confidence: the interval is the whole range.
  return { low: s[Math.max(0, k - 1)]!, high: s[n - Math.max(1, k)]! };
}
