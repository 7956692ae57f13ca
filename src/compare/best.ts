import type { ResultRow, Scalar } from '../tables/result-row.ts';
import { METRICS, type MetricName } from './metrics.ts';

/** One configuration (the runs that differ only in their seed) and its metric over the seeds. */
export interface Configuration {
  /** The value of `by` that this configuration is the best of, or null for the best overall. */
  group: Scalar;
  label: string;
  /** The variant's label, or null. */
  model: string | null;
  /** What varies in the experiment, the seed left out. */
  settings: Record<string, Scalar>;
  /** One of its runs, for the settings a variant block needs (layers, activations). */
  example: ResultRow;
  /** Over the seeds that gave a value. */
  n: number;
  mean: number;
  /** Sample standard deviation; null with one seed. */
  sd: number | null;
  min: number;
  max: number;
  seeds: number[];
  /** Runs of it without a value: unfinished, failed or diverged. */
  missing: number;
}

/**
 * The best configuration by `metric`: the one with the best mean over its seeds (higher or lower,
 * as the metric says), overall or, with `by`, per value of that parameter (`variant` for the
 * variants). Works on result rows alone, so that any source of rows (a grid, a search's trials)
 * can be ranked. Configurations without any value are not ranked.
 */
export function bestConfigurations(
  rows: readonly ResultRow[],
  metric: MetricName,
  by: string | null,
  value: (row: ResultRow) => number | null,
): Configuration[] {
  const configurations = new Map<string, { rows: ResultRow[]; settings: Record<string, Scalar> }>();
  for (const row of rows) {
    const settings = Object.fromEntries(Object.entries(row.varying).filter(([key]) => key !== 'seed'));
    const key = JSON.stringify([row.model, settings]);
    const entry = configurations.get(key) ?? { rows: [], settings };
    entry.rows.push(row);
    configurations.set(key, entry);
  }
  const ranked: Configuration[] = [];
  for (const { rows: runs, settings } of configurations.values()) {
    const values = runs
      .map((row) => ({ row, value: value(row) }))
      .filter((v): v is { row: ResultRow; value: number } => v.value !== null && Number.isFinite(v.value));
    if (values.length === 0) continue;
    const numbers = values.map((v) => v.value);
    const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
    const sd = numbers.length > 1 ? Math.sqrt(numbers.reduce((a, b) => a + (b - mean) ** 2, 0) / (numbers.length - 1)) : null;
    const first = runs[0]!;
    ranked.push({
      group: by === null ? null : by === 'variant' ? first.model : (settings[by] ?? null),
      label: labelWithoutSeed(first),
      model: first.model,
      settings,
      example: first,
      n: numbers.length,
      mean,
      sd,
      min: Math.min(...numbers),
      max: Math.max(...numbers),
      seeds: values.map((v) => v.row.seed),
      missing: runs.length - values.length,
    });
  }
  const better = METRICS[metric].better === 'higher' ? (a: number, b: number) => b - a : (a: number, b: number) => a - b;
  const best = new Map<string, Configuration>();
  for (const c of ranked) {
    const key = JSON.stringify(c.group);
    const current = best.get(key);
    if (!current || better(c.mean, current.mean) < 0) best.set(key, c);
  }
  // Groups in the order their values first appear in the rows (the file's order).
  return [...best.values()];
}

/** A run's label without its `seed=N` part: the configuration's name. */
function labelWithoutSeed(row: ResultRow): string {
  return row.label.replace(/\s*\bseed=\d+/, '').trim() || row.label;
}
