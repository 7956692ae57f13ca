import type { ResultRow, Scalar } from './result-row.ts';

/** A table before rendering: plain strings, with the cells to emphasise marked. */
export interface Table {
  caption: string;
  header: string[];
  rows: { cells: string[]; bold: boolean[] }[];
}

/** What results.md pivots on, from the experiment's `table` section. */
export interface PivotSpec {
  rows: string | null;
  columns: string | null;
}

/** Mean and sample standard deviation of the test accuracies of finished runs. */
export interface Summary {
  mean: number;
  std: number;
  count: number;
  /** Runs that did not give an accuracy: diverged, failed or not run yet. */
  missing: string[];
}

/**
 * The report's table: one row per configuration (runs that differ only in their seed are one
 * configuration), with its model, layers, activations, the other parameters that vary, and the
 * test accuracy as mean ± standard deviation over seeds.
 */
export function configurationTable(rows: readonly ResultRow[]): Table {
  const { shown, groups } = configurations(rows);
  const summaries = groups.map(([, members]) => summarise(members));
  const name = modelNames(rows);
  const best = Math.max(...summaries.map((s) => (s.count > 0 ? s.mean : -Infinity)));
  return {
    caption: 'Test accuracy per configuration',
    header: ['Model', 'Layers', 'Activation', ...shown, 'Accuracy (%)'],
    rows: groups.map(([, members], i) => {
      const first = members[0]!;
      const summary = summaries[i]!;
      const cells = [
        first.model ?? name(first),
        `[${first.layers.join(', ')}]`,
        first.activations.join(', '),
        ...shown.map((k) => formatScalar(first.varying[k] ?? null)),
        formatSummary(summary),
      ];
      return { cells, bold: cells.map((_, c) => c === cells.length - 1 && summaries.length > 1 && summary.count > 0 && summary.mean === best) };
    }),
  };
}

/**
 * What the Model column calls a run without a variant: the parts of the model that vary across
 * the experiment (its layers, its hidden activations), or, when none does, the model itself as the
 * report names its models (`[784,128,64,10] relu`).
 */
function modelNames(rows: readonly ResultRow[]): (row: ResultRow) => string {
  const layers = (r: ResultRow) => `[${r.layers.join(',')}]`;
  const hidden = (r: ResultRow) => [...new Set(r.activations.slice(0, -1))].join(', ') || r.activations.at(-1) || '';
  const varies = (part: (r: ResultRow) => string) => new Set(rows.map(part)).size > 1;
  const parts = [varies(layers) ? layers : null, varies(hidden) ? hidden : null].filter((p) => p !== null);
  const used = parts.length > 0 ? parts : [layers, hidden];
  return (row) => used.map((part) => part(row)).join(' ');
}

/**
 * Runs grouped by configuration (everything but the seed), in plan order: the rows of the report's
 * table and of the results chart. `shown` are the varying parameters that tell them apart besides
 * the model, layers and activations.
 */
export function configurations(rows: readonly ResultRow[]): { shown: string[]; groups: [string, ResultRow[]][] } {
  const shown = varyingKeys(rows).filter((k) => !['seed', 'layers', 'activations', 'activation', 'variant'].includes(k));
  return { shown, groups: groupBy(rows, (r) => JSON.stringify([r.model, r.layers, r.activations, shown.map((k) => r.varying[k])])) };
}

/**
 * Pivot tables of the test accuracy: rows and columns are the values of two parameters; one table
 * per combination of the other varying parameters (seeds aside), so that no cell averages over
 * settings the reader cannot see. The best mean of each column is marked bold.
 */
export function pivotTables(rows: readonly ResultRow[], spec: PivotSpec): Table[] {
  const { rows: rowKey, columns: columnKey } = spec;
  if (!rowKey || !columnKey) return [];
  const value = (r: ResultRow, key: string): Scalar => (key === 'variant' ? r.model : (r.varying[key] ?? null));
  // A parameter fixed by the row's or the column's value (the layers of a variant) is part of
  // it: splitting the tables by it would give one-row tables, one per variant.
  const determinedBy = (k: string, key: string) => {
    const seen = new Map<string, string>();
    return rows.every((r) => {
      const at = JSON.stringify(value(r, key));
      const v = JSON.stringify(r.varying[k] ?? null);
      if (!seen.has(at)) seen.set(at, v);
      return seen.get(at) === v;
    });
  };
  const others = varyingKeys(rows).filter((k) => ![rowKey, columnKey, 'seed'].includes(k) && !determinedBy(k, rowKey) && !determinedBy(k, columnKey));
  return groupBy(rows, (r) => JSON.stringify(others.map((k) => r.varying[k]))).map(([, members]) => {
    const rowValues = distinct(members.map((r) => value(r, rowKey)));
    const columnValues = distinct(members.map((r) => value(r, columnKey)));
    const cells = rowValues.map((rv) => columnValues.map((cv) => summarise(members.filter((r) => value(r, rowKey) === rv && value(r, columnKey) === cv))));
    const bestPerColumn = columnValues.map((_, c) => Math.max(...cells.map((row) => (row[c]!.count > 0 ? row[c]!.mean : -Infinity))));
    const first = members[0]!;
    const context = others.map((k) => `${k} = ${formatScalar(first.varying[k] ?? null)}`).join(', ');
    return {
      caption: `Test accuracy (%) by ${rowKey} and ${columnKey}${context ? `, ${context}` : ''}`,
      header: [`${rowKey} \\ ${columnKey}`, ...columnValues.map(formatScalar)],
      rows: rowValues.map((rv, r) => ({
        cells: [formatScalar(rv), ...cells[r]!.map(formatSummary)],
        bold: [false, ...cells[r]!.map((s, c) => rowValues.length > 1 && s.count > 0 && s.mean === bestPerColumn[c])],
      })),
    };
  });
}

/** The test accuracy over the completed runs of `rows` (results.md's numbers); the others are listed as missing. */
export function summarise(rows: readonly ResultRow[]): Summary {
  const accuracies: number[] = [];
  const missing: string[] = [];
  for (const r of rows) {
    const o = r.outcome;
    if (o && (o.status === 'completed' || o.status === 'early-stopped') && o.testAccuracy !== null) accuracies.push(o.testAccuracy);
    else missing.push(o?.status ?? 'pending');
  }
  const count = accuracies.length;
  const mean = count ? accuracies.reduce((a, b) => a + b, 0) / count : NaN;
  const std = count > 1 ? Math.sqrt(accuracies.reduce((a, v) => a + (v - mean) ** 2, 0) / (count - 1)) : 0;
  return { mean, std, count, missing };
}

function formatSummary(s: Summary): string {
  if (s.count === 0) return s.missing.length ? distinct(s.missing).join('/') : '—';
  const value = s.count > 1 ? `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)}` : s.mean.toFixed(2);
  return s.missing.length ? `${value} (${s.missing.length} ${distinct(s.missing).join('/')})` : value;
}

export function formatScalar(value: Scalar | undefined): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Keys of `varying` across all rows, in first-seen order. */
function varyingKeys(rows: readonly ResultRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.varying)))];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups];
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
