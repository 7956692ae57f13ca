import type { CsvTable } from './csv-table.ts';
import type { MissingPolicy } from './csv-table.ts';
import { DataFileError } from './data-file-error.ts';

/** A category of a test row that the training rows do not have: encoded as all zeros. */
export interface UnseenCategory {
  column: string;
  /** Test rows with such a category. */
  rows: number;
  /** Distinct such categories. */
  categories: number;
  /** The first three of them, for the message. */
  examples: string[];
}

/** How each column becomes inputs, learnt from the training rows only (so the test set cannot leak into it). */
export interface TableStatistics {
  inputNames: string[];
  columns: ColumnEncoding[];
}

type ColumnEncoding =
  /** One input: (x − shift) / scale; `fill` replaces a missing value before that. */
  | { kind: 'numeric'; name: string; shift: number; scale: number; fill: number }
  /** One input per training category, in sorted order; `fill` (a category, or null) replaces a missing one. */
  | { kind: 'categorical'; name: string; categories: string[]; fill: string | null };

/**
 * The encoding of `table`'s columns from its rows `rows`: numeric columns' mean and standard
 * deviation (population, as scikit-learn's StandardScaler; a constant column is only centred),
 * categorical columns' categories sorted, and the values that fill in a missing one under
 * `missing: mean` (the mean, or the most frequent category, ties to the first in sorted order).
 */
export function tableStatistics(table: CsvTable, rows: Int32Array, standardize: boolean, missing: MissingPolicy): TableStatistics {
  const inputNames: string[] = [];
  const columns = table.columns.map((column): ColumnEncoding => {
    if (column.kind === 'numeric') {
      let n = 0;
      let sum = 0;
      for (const row of rows) {
        const x = column.values[row]!;
        if (!Number.isNaN(x)) {
          n++;
          sum += x;
        }
      }
      const mean = n > 0 ? sum / n : NaN;
      let squares = 0;
      for (const row of rows) {
        const x = column.values[row]!;
        if (!Number.isNaN(x)) squares += (x - mean) * (x - mean);
      }
      const std = n > 0 ? Math.sqrt(squares / n) : NaN;
      if (n === 0 && missing === 'mean') {
        throw new DataFileError(
          table.file,
          `column \`${column.name}\` has no value in the training rows, so it has no mean to fill in`,
          null,
          null,
          'leave the column out of `features`',
        );
      }
      inputNames.push(column.name);
      return { kind: 'numeric', name: column.name, shift: standardize ? mean : 0, scale: standardize && std > 0 ? std : 1, fill: mean };
    }
    const counts = new Map<number, number>();
    for (const row of rows) {
      const code = column.codes[row]!;
      if (code >= 0) counts.set(code, (counts.get(code) ?? 0) + 1);
    }
    const categories = [...counts.keys()].map((code) => column.categories[code]!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let fill: string | null = null;
    let most = 0;
    for (const category of categories) {
      const count = counts.get(column.categories.indexOf(category))!;
      if (count > most) {
        most = count;
        fill = category;
      }
    }
    for (const category of categories) inputNames.push(`${column.name}=${category}`);
    return { kind: 'categorical', name: column.name, categories, fill };
  });
  return { inputNames, columns };
}

/**
 * Rows `rows` of `table` as a rows × inputs float32 matrix in shared memory (worker threads read it
 * as they are). A category the statistics do not know is all zeros, and counted in `unseen`.
 */
export function encodeRows(table: CsvTable, rows: Int32Array, stats: TableStatistics, unseen: UnseenCategory[] | null): Float32Array {
  const width = stats.inputNames.length;
  const X = new Float32Array(new SharedArrayBuffer(rows.length * width * 4));
  let offset = 0;
  stats.columns.forEach((encoding, c) => {
    const column = table.columns[c]!;
    if (encoding.kind === 'numeric' && column.kind === 'numeric') {
      const { shift, scale, fill } = encoding;
      for (let r = 0; r < rows.length; r++) {
        const x = column.values[rows[r]!]!;
        X[r * width + offset] = ((Number.isNaN(x) ? fill : x) - shift) / scale;
      }
      offset++;
      return;
    }
    if (encoding.kind !== 'categorical' || column.kind !== 'categorical') throw new Error(`column ${column.name} changed kind`);
    // This table's codes to one-hot slots (-1: a category the training rows do not have).
    const slot = new Int32Array(column.categories.length).fill(-1);
    const index = new Map(encoding.categories.map((category, i) => [category, i]));
    column.categories.forEach((category, code) => {
      slot[code] = index.get(category) ?? -1;
    });
    const fillSlot = encoding.fill === null ? -1 : index.get(encoding.fill)!;
    let missed = 0;
    const examples = new Set<string>();
    for (let r = 0; r < rows.length; r++) {
      const code = column.codes[rows[r]!]!;
      const at = code < 0 ? fillSlot : slot[code]!;
      if (at >= 0) X[r * width + offset + at] = 1;
      else if (code >= 0) {
        missed++;
        examples.add(column.categories[code]!);
      }
    }
    if (missed > 0) unseen?.push({ column: column.name, rows: missed, categories: examples.size, examples: [...examples].slice(0, 3) });
    offset += encoding.categories.length;
  });
  return X;
}
