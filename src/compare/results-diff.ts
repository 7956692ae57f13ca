import { parse } from 'csv-parse/sync';

/**
 * What changed between two versions of an experiment's results.csv, run by run. Pure: takes the
 * two files' text. Timings (`seconds`) never count as a change; the outcome columns do.
 */

/** The columns whose change is a change of results; `status` is compared as text. */
export const RESULT_COLUMNS = ['train_cost', 'test_cost', 'train_accuracy', 'test_accuracy', 'status'] as const;

export type CsvRow = Record<string, string>;

export interface ChangedRun {
  runId: string;
  /** The new run id when a run with the same label has a new id (its configuration changed), else null. */
  newRunId: string | null;
  label: string;
  /** The columns that changed beyond the tolerance, with both values as written. */
  changes: { column: string; before: string; after: string }[];
  before: CsvRow;
  after: CsvRow;
}

export interface ResultsDiff {
  changed: ChangedRun[];
  added: CsvRow[];
  removed: CsvRow[];
  unchanged: number;
}

/** The rows of a results.csv, header first; throws on text that is not CSV. */
export function parseResultsCsv(text: string): CsvRow[] {
  return parse(text, { columns: true, skip_empty_lines: true }) as CsvRow[];
}

/**
 * Compares the runs of `before` (null: the table did not exist) with those of `after`. Runs are
 * matched by run id; a run that disappeared and one that appeared under the same label are one
 * run whose configuration changed (a new id), shown as changed. Numbers differ when they are more
 * than `tolerance` apart.
 */
export function diffResults(before: readonly CsvRow[] | null, after: readonly CsvRow[], tolerance: number): ResultsDiff {
  const old = new Map((before ?? []).map((r) => [r.run_id ?? '', r]));
  const now = new Map(after.map((r) => [r.run_id ?? '', r]));
  const result: ResultsDiff = { changed: [], added: [], removed: [], unchanged: 0 };
  const gone = [...old.values()].filter((r) => !now.has(r.run_id ?? ''));
  const fresh = after.filter((r) => !old.has(r.run_id ?? ''));
  for (const row of after) {
    const previous = old.get(row.run_id ?? '');
    if (!previous) continue;
    const changes = columnChanges(previous, row, tolerance);
    if (changes.length > 0) result.changed.push({ runId: row.run_id ?? '', newRunId: null, label: row.label ?? '', changes, before: previous, after: row });
    else result.unchanged++;
  }
  for (const row of fresh) {
    const match = gone.findIndex((g) => g.label === row.label);
    if (match < 0) {
      result.added.push(row);
      continue;
    }
    const [previous] = gone.splice(match, 1);
    const changes = columnChanges(previous!, row, tolerance);
    result.changed.push({ runId: previous!.run_id ?? '', newRunId: row.run_id ?? '', label: row.label ?? '', changes, before: previous!, after: row });
  }
  result.removed.push(...gone);
  return result;
}

function columnChanges(before: CsvRow, after: CsvRow, tolerance: number): ChangedRun['changes'] {
  return RESULT_COLUMNS.flatMap((column) => {
    const a = before[column] ?? '';
    const b = after[column] ?? '';
    return differs(a, b, tolerance) ? [{ column, before: a, after: b }] : [];
  });
}

function differs(a: string, b: string, tolerance: number): boolean {
  if (a === b) return false;
  const x = Number(a);
  const y = Number(b);
  if (a === '' || b === '' || !Number.isFinite(x) || !Number.isFinite(y)) return true;
  return Math.abs(x - y) > tolerance;
}

/** True when the diff holds anything at all. */
export function hasChanges(diff: ResultsDiff): boolean {
  return diff.changed.length + diff.added.length + diff.removed.length > 0;
}
