import type { SearchPlan } from '../run/search-plan.ts';
import type { Scalar } from '../tables/result-row.ts';
import { bestTrialRuns, type SelectedTrial } from './best-trials.ts';
import { METRICS, type MetricName } from './metrics.ts';
import { pairRuns, valueText, type ComparableRun, type LeftOut, type Pair } from './pairing.ts';
import { problem, UserError } from '../errors.ts';
import { holm, summarise, type PairedSummary } from './statistics.ts';

/** One line of a comparison: a value against the baseline in one slice, or over all slices (`slice: 'all'`). Plain data; the `--json` output. */
export interface ComparisonRow {
  by: string;
  value: Scalar;
  baseline: Scalar;
  metric: MetricName;
  /** `learning_rate=0.01 init=he`, `all` for every pair together, or `-` when nothing slices the runs. */
  slice: string;
  /** The slicing parameters' values; empty for `all`. */
  coordinates: Record<string, Scalar>;
  n: number;
  mean_diff: number | null;
  ci_low: number | null;
  ci_high: number | null;
  p_t: number | null;
  p_wilcoxon: number | null;
  wins: number;
  ties: number;
  losses: number;
  /** Holm-adjusted over the slices of this value (null for `all`, for a single slice and for untested slices). */
  p_t_holm: number | null;
  p_wilcoxon_holm: number | null;
  /** A search's: the best trial of the value's cell and of the baseline's in this slice (absent for a grid, null for `all`). */
  trial?: number | null;
  baseline_trial?: number | null;
}

export interface Comparison {
  by: string;
  baseline: Scalar;
  metric: MetricName;
  sliceBy: string[];
  tied: string[];
  /** Per value: its slices in file order, then `all` when there is more than one slice. */
  rows: ComparisonRow[];
  leftOut: LeftOut[];
  /** A search's: the metric its trials were chosen by and each cell's best trial, which is what was compared. Null for a grid. */
  search: { metric: string; trials: SelectedTrial[] } | null;
}

export interface ComparisonSpec {
  by: string;
  /** As written; null for the first value in the file. */
  baseline: unknown;
  metric: MetricName;
}

/** The significance level at which Holm-adjusted p-values "survive". */
export const ALPHA = 0.05;

/**
 * Pairs the runs and summarises every value of `spec.by` against the baseline, per slice and over
 * all slices, with Holm's correction across slices. For a search (`plan`), only each grid cell's
 * best trial takes part (best-trials.ts): its runs pair by seed with those of the other cells'
 * best trials. Throws UserError as pairRuns does.
 */
export function compareRuns(
  runs: readonly ComparableRun[],
  spec: ComparisonSpec,
  where: { by: string; baseline: string },
  plan: SearchPlan | null = null,
): Comparison {
  const selection = plan ? bestTrialRuns(plan, runs) : null;
  if (plan) refuseSearchedParameter(plan, spec.by, where.by);
  const pairing = pairRuns(selection ? selection.runs : runs, spec.by, spec.baseline, where);
  const better = METRICS[spec.metric].better;
  const row = (value: Scalar, slice: string, coordinates: Record<string, Scalar>, s: PairedSummary): ComparisonRow => ({
    by: spec.by,
    value,
    baseline: pairing.baseline,
    metric: spec.metric,
    slice,
    coordinates,
    n: s.n,
    mean_diff: s.meanDiff,
    ci_low: s.ciLow,
    ci_high: s.ciHigh,
    p_t: s.pT,
    p_wilcoxon: s.pWilcoxon,
    wins: s.wins,
    ties: s.ties,
    losses: s.losses,
    p_t_holm: null,
    p_wilcoxon_holm: null,
  });
  // A slice's pairs all join the same two cells, so their first pair names both cells' best trials.
  const trials = (pairs: readonly Pair[]) =>
    selection
      ? {
          trial: pairs[0] ? selection.trialOf.get(pairs[0].other.runId)! : null,
          baseline_trial: pairs[0] ? selection.trialOf.get(pairs[0].baseline.runId)! : null,
        }
      : {};
  const rows = pairing.values.flatMap(({ value, slices }) => {
    const perSlice = slices.map((s) => ({
      ...row(
        value,
        sliceName(s.coordinates),
        s.coordinates,
        summarise(
          s.pairs.map((p) => p.diff),
          better,
        ),
      ),
      ...trials(s.pairs),
    }));
    if (perSlice.length <= 1) return perSlice;
    const pT = holm(perSlice.map((r) => r.p_t));
    const pW = holm(perSlice.map((r) => r.p_wilcoxon));
    perSlice.forEach((r, i) => Object.assign(r, { p_t_holm: pT[i], p_wilcoxon_holm: pW[i] }));
    const all = summarise(
      slices.flatMap((s) => s.pairs.map((p) => p.diff)),
      better,
    );
    return [...perSlice, { ...row(value, 'all', {}, all), ...(selection ? { trial: null, baseline_trial: null } : {}) }];
  });
  return {
    by: pairing.by,
    baseline: pairing.baseline,
    metric: spec.metric,
    sliceBy: pairing.sliceBy,
    tied: pairing.tied,
    rows,
    leftOut: pairing.leftOut,
    search: selection ? { metric: plan!.search.metric, trials: selection.trials } : null,
  };
}

/** A searched parameter is chosen per cell, not set by the file: there is nothing to pair by it. */
function refuseSearchedParameter(plan: SearchPlan, by: string, where: string): void {
  if (!plan.search.space.dimensions.some((d) => d.name === by) && by !== 'trial') return;
  throw new UserError(
    problem('compare-by', `\`${by}\` is ${by === 'trial' ? "a search's trial index" : 'searched'}: each grid cell's best trial is compared, at its own ${by}`, {
      file: where,
      hint: 'compare by a parameter of the grid (or `variant`)',
    }),
  );
}

function sliceName(coordinates: Record<string, Scalar>): string {
  const parts = Object.entries(coordinates).map(([k, v]) => `${k}=${valueText(v)}`);
  return parts.length > 0 ? parts.join(' ') : '-';
}
