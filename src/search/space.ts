/**
 * A search space: named dimensions of four kinds, and the one mapping from a point of the unit cube
 * (what the random and Sobol samplers draw) to a configuration. Pure data and arithmetic.
 *
 * Values are canonical: a continuous value is rounded to CONTINUOUS_DIGITS significant digits
 * and clamped into its range, an integer is an integer, a choice is the listed value itself; so two
 * proposals of the same configuration are equal (and `configurationKey` equal), whichever sampler
 * or unit point gave them. The runner turns a configuration into a run id; two equal
 * configurations are one run.
 */

export type Dimension =
  /** A real value, uniform on [low, high). */
  | { readonly name: string; readonly kind: 'uniform'; readonly low: number; readonly high: number }
  /** A real value whose logarithm is uniform on [log low, log high); 0 < low < high. */
  | { readonly name: string; readonly kind: 'log_uniform'; readonly low: number; readonly high: number }
  /** An integer, uniform on low..high inclusive. */
  | { readonly name: string; readonly kind: 'int_uniform'; readonly low: number; readonly high: number }
  /** One of the listed values (plain JSON), each equally likely. */
  | { readonly name: string; readonly kind: 'choice'; readonly values: readonly unknown[] };

/** Dimensions sorted by name, so that a space and its proposals do not depend on the order of keys in a file. */
export interface Space {
  readonly dimensions: readonly Dimension[];
}

/** A configuration: each dimension's name with its value. */
export type Configuration = Readonly<Record<string, unknown>>;

/** Significant digits kept of a continuous value: enough for any learning rate, and values that read back the same from results.csv. */
export const CONTINUOUS_DIGITS = 10;

/**
 * A space from its dimensions. Throws RangeError for a dimension that cannot be sampled (an
 * empty or reversed range, a log bound ≤ 0, an empty choice, a repeated name): validation
 * reports those to the user first, so here they are bugs.
 */
export function searchSpace(dimensions: readonly Dimension[]): Space {
  const names = new Set<string>();
  for (const d of dimensions) {
    if (names.has(d.name)) throw new RangeError(`dimension ${d.name} is given twice`);
    names.add(d.name);
    const problem = dimensionProblem(d);
    if (problem) throw new RangeError(`dimension ${d.name}: ${problem}`);
  }
  return { dimensions: [...dimensions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/** Why a dimension cannot be sampled, in words, or null when it can. */
export function dimensionProblem(d: Dimension): string | null {
  if (d.kind === 'choice') return d.values.length === 0 ? 'a choice needs at least one value' : null;
  if (!Number.isFinite(d.low) || !Number.isFinite(d.high)) return 'bounds must be finite numbers';
  if (d.kind === 'int_uniform') {
    if (!Number.isSafeInteger(d.low) || !Number.isSafeInteger(d.high)) return 'int_uniform bounds must be integers';
    return d.low > d.high ? `the range [${d.low}, ${d.high}] is reversed` : null;
  }
  if (d.kind === 'log_uniform' && d.low <= 0) return `log_uniform needs bounds > 0, got ${d.low}`;
  if (d.low >= d.high) return d.low === d.high ? `the range [${d.low}, ${d.high}] is empty` : `the range [${d.low}, ${d.high}] is reversed`;
  return null;
}

/** How many values a dimension has: Infinity for a continuous one. */
export function dimensionSize(d: Dimension): number {
  if (d.kind === 'choice') return d.values.length;
  if (d.kind === 'int_uniform') return d.high - d.low + 1;
  return Infinity;
}

/** How many distinct configurations the space has: Infinity when a dimension is continuous. */
export function spaceSize(space: Space): number {
  return space.dimensions.reduce((n, d) => n * dimensionSize(d), 1);
}

/**
 * A dimension's value for u in [0, 1): linear for uniform, in the logarithm for log_uniform,
 * floor(u·n) clamped to n − 1 for the n values of int_uniform and choice (u = 1 − 2^-53 would
 * otherwise round up to n for large n).
 */
export function valueAt(d: Dimension, u: number): unknown {
  switch (d.kind) {
    case 'uniform':
      return continuous(d, d.low + u * (d.high - d.low));
    case 'log_uniform':
      return continuous(d, Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low))));
    case 'int_uniform':
      return d.low + indexAt(u, d.high - d.low + 1);
    case 'choice':
      return d.values[indexAt(u, d.values.length)];
  }
}

/** The configuration at a point of the unit cube, one coordinate per dimension in the space's order. */
export function configurationAt(space: Space, u: ArrayLike<number>): Configuration {
  if (u.length !== space.dimensions.length) throw new RangeError(`a point of this space has ${space.dimensions.length} coordinates, got ${u.length}`);
  return Object.fromEntries(space.dimensions.map((d, i) => [d.name, valueAt(d, u[i]!)]));
}

/**
 * The configuration numbered `index` in 0..spaceSize − 1 (mixed radix over the dimensions, the
 * last fastest); only for a space without continuous dimensions.
 */
export function configurationNumbered(space: Space, index: number): Configuration {
  const values: [string, unknown][] = [];
  let rest = index;
  for (let i = space.dimensions.length - 1; i >= 0; i--) {
    const d = space.dimensions[i]!;
    const n = dimensionSize(d);
    if (!Number.isFinite(n)) throw new RangeError(`${d.name} is continuous: its configurations cannot be numbered`);
    const k = rest % n;
    rest = Math.floor(rest / n);
    values.push([d.name, d.kind === 'choice' ? d.values[k] : d.low + k]);
  }
  return Object.fromEntries(values.reverse());
}

/** The rounded, clamped form of a continuous value: what the sampler proposes and the run records. */
export function continuous(d: { low: number; high: number }, x: number): number {
  const rounded = Number(x.toPrecision(CONTINUOUS_DIGITS));
  return Math.min(d.high, Math.max(d.low, rounded)) + 0; // + 0 turns -0 into 0
}

function indexAt(u: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.floor(u * n)));
}

/**
 * A text that is equal for equal configurations and different otherwise: JSON with keys sorted
 * (values nested in a choice included), the key the samplers deduplicate proposals by.
 */
export function configurationKey(configuration: Configuration): string {
  return canonical(configuration);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The position of `value` among a choice's values (by canonical JSON), or -1. */
export function choiceIndex(d: Extract<Dimension, { kind: 'choice' }>, value: unknown): number {
  const key = canonical(value);
  return d.values.findIndex((v) => canonical(v) === key);
}
