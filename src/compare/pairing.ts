import { problem, UserError } from '../errors.ts';
import { didYouMean } from '../experiment/suggest.ts';
import type { Scalar } from '../tables/result-row.ts';

/**
 * Pairing: which finished runs differ only in the parameter under question. Two runs are partners
 * when every other coordinate of the experiment (the variant, every varying parameter, the seed
 * included) is equal. Pure.
 */

/** A run as pairing sees it: its coordinates and, if it finished well, the metric's value. */
export interface ComparableRun {
  runId: string;
  label: string;
  /** The variant's label, or null without variants. */
  model: string | null;
  /** The parameters that vary across the experiment, by dotted name. */
  varying: Record<string, Scalar>;
  status: 'completed' | 'diverged' | 'early-stopped' | 'failed' | 'pruned' | 'pending';
  /** The metric; null when the run did not give one. */
  value: number | null;
  /** Why it has no value, when its status does not say (a search's cell with no trial finished). */
  reason?: string;
}

export interface Pair {
  baseline: ComparableRun;
  other: ComparableRun;
  /** other − baseline. */
  diff: number;
}

/** The pairs of one value against the baseline within one slice (one combination of the slicing parameters). */
export interface Slice {
  /** The slicing parameters' values, e.g. { learning_rate: 0.01, init: 'he' }; empty with nothing to slice by. */
  coordinates: Record<string, Scalar>;
  pairs: Pair[];
}

/** A run that is in no pair, and why. */
export interface LeftOut {
  runId: string;
  label: string;
  reason: string;
}

export interface Pairing {
  by: string;
  baseline: Scalar;
  /** Every other value of `by`, in the order of the runs (the file's order). */
  values: { value: Scalar; slices: Slice[] }[];
  /** The parameters that define slices: those that vary apart from `by`, the seed and those tied to `by`. */
  sliceBy: string[];
  /** Coordinates that change together with `by` (a zip group, a variant's layers): they go with it, not into the pairing. */
  tied: string[];
  leftOut: LeftOut[];
}

const SEED = 'seed';

/** A coordinate of a run: `variant` or a varying parameter. */
function coordinate(run: ComparableRun, name: string): Scalar {
  return name === 'variant' ? run.model : (run.varying[name] ?? null);
}

/** How a value is written on the command line or in `baseline:`, to match either. */
export function valueText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  return String(value);
}

/**
 * Pairs the runs by `by` against `baseline` (a value as written, or null for the first value in
 * run order). Throws UserError (`compare-by`, `compare-baseline`) when `by` does not vary or the
 * baseline is not one of its values; `where` says which option or file key to blame.
 */
export function pairRuns(runs: readonly ComparableRun[], by: string, baseline: unknown, where: { by: string; baseline: string }): Pairing {
  const coordinates = [...(runs.some((r) => r.model !== null) ? ['variant'] : []), ...Object.keys(runs[0]?.varying ?? {})];
  if (!coordinates.includes(by) || by === SEED) {
    const candidates = coordinates.filter((c) => c !== SEED);
    const close = didYouMean(by, candidates);
    throw new UserError(
      problem('compare-by', by === SEED ? 'runs are paired by seed; compare by another parameter' : `\`${by}\` does not vary in this experiment`, {
        file: where.by,
        hint: close ? `did you mean \`${close}\`?` : candidates.length ? `these vary: ${candidates.join(', ')}` : 'nothing varies in this experiment',
      }),
    );
  }
  const values = unique(runs.map((r) => coordinate(r, by)));
  const base = baseline === null || baseline === undefined ? values[0]! : values.find((v) => valueText(v) === valueText(baseline));
  if (base === undefined) {
    throw new UserError(
      problem('compare-baseline', `\`${valueText(baseline)}\` is not a value of \`${by}\``, {
        file: where.baseline,
        hint: `values of ${by}: ${values.map(valueText).join(', ')}`,
      }),
    );
  }
  const others = coordinates.filter((c) => c !== by && c !== SEED);
  const tied = others.filter((c) =>
    values.every((v) => new Set(runs.filter((r) => coordinate(r, by) === v).map((r) => valueText(coordinate(r, c)))).size <= 1),
  );
  const sliceBy = others.filter((c) => !tied.includes(c));
  const partnerKey = (run: ComparableRun) => JSON.stringify([...sliceBy, SEED].map((c) => coordinate(run, c)));
  const sliceKey = (run: ComparableRun) => JSON.stringify(sliceBy.map((c) => coordinate(run, c)));
  // An early-stopped run is a finished result: its metrics are those of its best weights.
  const usable = (run: ComparableRun) => (run.status === 'completed' || run.status === 'early-stopped') && run.value !== null && Number.isFinite(run.value);

  const leftOut: LeftOut[] = runs.filter((r) => !usable(r)).map((r) => ({ runId: r.runId, label: r.label, reason: unusableReason(r) }));
  const baselineRuns = new Map(runs.filter((r) => coordinate(r, by) === base).map((r) => [partnerKey(r), r]));
  const compared = values
    .filter((v) => v !== base)
    .map((value) => {
      const slices = new Map<string, Slice>();
      const sliceOf = (run: ComparableRun) => {
        const key = sliceKey(run);
        if (!slices.has(key)) slices.set(key, { coordinates: Object.fromEntries(sliceBy.map((c) => [c, coordinate(run, c)])), pairs: [] });
        return slices.get(key)!;
      };
      const otherRuns = new Map(runs.filter((r) => coordinate(r, by) === value).map((r) => [partnerKey(r), r]));
      // Walk the runs in order so slices and pairs keep the file's order.
      for (const run of runs) {
        const key = partnerKey(run);
        if (coordinate(run, by) === value) {
          const partner = baselineRuns.get(key);
          const slice = sliceOf(run);
          if (partner && usable(run) && usable(partner)) slice.pairs.push({ baseline: partner, other: run, diff: run.value! - partner.value! });
          else if (usable(run)) leftOut.push({ runId: run.runId, label: run.label, reason: partnerReason(partner, by, base) });
        } else if (coordinate(run, by) === base && usable(run)) {
          const partner = otherRuns.get(key);
          sliceOf(run);
          if (!partner || !usable(partner)) leftOut.push({ runId: run.runId, label: run.label, reason: partnerReason(partner, by, value) });
        }
      }
      return { value, slices: [...slices.values()] };
    });
  return { by, baseline: base, values: compared, sliceBy, tied, leftOut };
}

function unusableReason(run: ComparableRun): string {
  if (run.reason !== undefined) return run.reason;
  switch (run.status) {
    case 'pending':
      return 'not run yet';
    case 'failed':
      return 'failed';
    case 'diverged':
      return 'diverged';
    case 'pruned':
      return 'was pruned (stopped at a rung)';
    case 'completed':
    case 'early-stopped':
      return 'has no value for the metric';
  }
}

function partnerReason(partner: ComparableRun | undefined, by: string, value: Scalar): string {
  const who = `its partner with ${by}=${valueText(value)}`;
  return partner ? `${who} (${partner.runId}) ${unusableReason(partner)}` : `${who} is not in the experiment`;
}

function unique(values: readonly Scalar[]): Scalar[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
