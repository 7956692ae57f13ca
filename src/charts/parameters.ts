import type { ResultRow, Scalar } from '../tables/result-row.ts';
import { formatScalar } from '../tables/tables.ts';

/**
 * The parameters the experiment-level charts are drawn against: `variant` (when there are
 * several models) and the parameters that vary, seeds aside; and the choice of colour and facet.
 */

/** What the `charts:` section and the `table:` section ask for, resolved against what varies. */
export interface ChartRoles {
  /** Parameters that vary (seed aside), `variant` first when there are several models. */
  parameters: string[];
  /** One colour per value of this parameter, or null when nothing varies. */
  color: string | null;
  /** Preferred facet parameter of the sweeps (null: chosen per chart). */
  facet: string | null;
}

/** Whether a run's test accuracy counts, as in results.md: completed and early-stopped runs. */
export function hasAccuracy(row: ResultRow): boolean {
  const o = row.outcome;
  return o !== null && (o.status === 'completed' || o.status === 'early-stopped') && o.testAccuracy !== null;
}

/** A parameter's value in a run: its variant label for `variant`. */
export function parameterValue(row: ResultRow, name: string): Scalar {
  return name === 'variant' ? row.model : (row.varying[name] ?? null);
}

/**
 * Vega-Lite reads dots in field names as nested access: `dataset.train_limit` becomes
 * `dataset_train_limit` in the data rows (the charts' titles keep the real name).
 */
export function fieldName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * The roles of the experiment's parameters. The colour is the one asked for, else the table's
 * column parameter, else `variant`, else the first parameter that varies; a name that does not
 * vary (a `--set` collapsed its axis) falls back to the default.
 */
export function chartRoles(rows: readonly ResultRow[], asked: { color: string | null; facet: string | null; tableColumns: string | null }): ChartRoles {
  const varying = [...new Set(rows.flatMap((r) => Object.keys(r.varying)))].filter(
    (k) => k !== 'seed' && new Set(rows.map((r) => JSON.stringify(r.varying[k] ?? null))).size > 1,
  );
  const models = new Set(rows.map((r) => r.model));
  // A parameter that changes only with the variant (its layers, or an init of its own) is part
  // of the variant, as compare treats it: a sweep against it would redraw the variants.
  const parameters = models.size > 1 ? ['variant', ...varying.filter((k) => !followsVariant(rows, k))] : varying;
  const pick = (name: string | null) => (name !== null && parameters.includes(name) ? name : null);
  const color = pick(asked.color) ?? pick(asked.tableColumns) ?? parameters[0] ?? null;
  const facet = pick(asked.facet);
  return { parameters, color, facet: facet === color ? null : facet };
}

function followsVariant(rows: readonly ResultRow[], key: string): boolean {
  const byModel = new Map<string | null, string>();
  return rows.every((r) => {
    const value = JSON.stringify(r.varying[key] ?? null);
    const seen = byModel.get(r.model);
    byModel.set(r.model, value);
    return seen === undefined || seen === value;
  });
}

/** A configuration's name in charts: the model (if any) and the values of the other parameters. */
export function configurationLabel(row: ResultRow, parameters: readonly string[]): string {
  const parts = parameters.map((p) => formatScalar(parameterValue(row, p)));
  return parts.length ? parts.join(' · ') : row.label;
}

/** Numeric parameters spread over a decade or more (learning rates) read best on a log axis. */
export function isLogScale(name: string, values: readonly Scalar[]): boolean {
  if (!values.every((v) => typeof v === 'number' && v > 0)) return false;
  const numbers = values as number[];
  return name === 'learning_rate' || Math.max(...numbers) / Math.min(...numbers) >= 20;
}
