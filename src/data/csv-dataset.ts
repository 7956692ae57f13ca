import type { LabelledImages } from '../core/dataset.ts';
import { locateField, readCsvTable, type CsvTable, type MissingPolicy } from './csv-table.ts';
import { DataFileError } from './data-file-error.ts';
import { stratifiedSplit } from './split.ts';
import { encodeRows, tableStatistics, type TableStatistics, type UnseenCategory } from './table-encoding.ts';

export type { UnseenCategory } from './table-encoding.ts';

/** A CSV dataset as an experiment names it; paths absolute. */
export interface CsvSource {
  kind: 'csv';
  train: string;
  /** The test file, or null with `split`. */
  test: string | null;
  /** Hold out this fraction of `train`'s rows of each class as the test set (seeded); null with `test`. */
  split: { test: number; seed: number } | null;
  label: string;
  features: 'all' | string[];
  categorical: string[];
  standardize: boolean;
  missing: MissingPolicy;
  delimiter: string;
}

/** An encoded table, ready for the core. */
export interface CsvDataset {
  train: LabelledImages;
  test: LabelledImages;
  /** One per input: a numeric column's name, or `column=category` for a one-hot input. */
  inputNames: string[];
  /** The label's values by class index: numbers in numeric order, else strings in code-point order. */
  classNames: string[];
  unseen: UnseenCategory[];
}

/**
 * Reads and encodes a CSV dataset: numeric columns as they are (z-scored with the training rows'
 * mean and standard deviation when `standardize`), categorical ones one-hot over the training
 * rows' categories (sorted), missing values per `missing`. Deterministic: the same files and
 * options give the same arrays in every process. Throws DataFileError (at FILE:LINE:COL where a
 * row is at fault) for anything that cannot be used, including a label with a single class.
 */
export function loadCsvDataset(source: CsvSource): CsvDataset {
  const read = { label: source.label, features: source.features, categorical: source.categorical, missing: source.missing, delimiter: source.delimiter };
  const first = readCsvTable(source.train, read);
  const kinds = new Map(first.columns.map((c) => [c.name, c.kind] as const));
  // The test file's columns are matched by name, in the training file's order.
  const second = source.test === null ? null : readCsvTable(source.test, { ...read, features: first.columns.map((c) => c.name), kinds });

  let trainRows: Int32Array;
  let testRows: Int32Array;
  if (second === null) {
    if (source.split === null) throw new RangeError('a CSV dataset needs a test file or a split');
    ({ train: trainRows, test: testRows } = stratifiedSplit(first.label.codes, first.label.values.length, source.split.test, source.split.seed));
    if (testRows.length === 0)
      throw new DataFileError(
        source.train,
        `a test fraction of ${source.split.test} of ${first.rows} rows leaves no test rows`,
        null,
        null,
        'a larger `split.test`, or more rows',
      );
  } else {
    trainRows = allRows(first.rows);
    testRows = allRows(second.rows);
  }

  const classNames = sortedClasses(first, trainRows);
  if (classNames.length < 2) {
    const at = locateField(first.file, 0, first.header.indexOf(source.label), source.delimiter);
    throw new DataFileError(
      first.file,
      `the label \`${source.label}\` has a single class (\`${classNames[0]}\`) in the training rows: there is nothing to learn`,
      at.line,
      at.col,
      'check the label column',
      at.text,
    );
  }
  if (classNames.length > 256) {
    throw new DataFileError(
      first.file,
      `the label \`${source.label}\` has ${classNames.length} distinct values; at most 256 classes are supported`,
      null,
      null,
      'is the label a class, not a measurement?',
    );
  }
  const stats = tableStatistics(first, trainRows, source.standardize, source.missing);
  const testTable = second ?? first;
  const train = encodeSet(first, trainRows, stats, classNames, source, null);
  const unseen: UnseenCategory[] = [];
  const test = encodeSet(testTable, testRows, stats, classNames, source, unseen);
  return { train, test, inputNames: stats.inputNames, classNames, unseen };
}

function encodeSet(
  table: CsvTable,
  rows: Int32Array,
  stats: TableStatistics,
  classNames: string[],
  source: CsvSource,
  unseen: UnseenCategory[] | null,
): LabelledImages {
  const classOf = new Map(classNames.map((name, i) => [name, i]));
  const labels = new Uint8Array(new SharedArrayBuffer(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const name = table.label.values[table.label.codes[row]!]!;
    const index = classOf.get(name);
    if (index === undefined) {
      const at = locateField(table.file, table.records[row]!, table.header.indexOf(source.label), source.delimiter);
      throw new DataFileError(
        table.file,
        `the label \`${name}\` is not a class of the training rows (${classNames.join(', ')})`,
        at.line,
        at.col,
        "a model cannot learn a class it never sees: the test rows must use the training rows' classes",
        at.text,
      );
    }
    labels[r] = index;
  }
  const images = encodeRows(table, rows, stats, unseen);
  return { images, labels, count: rows.length, features: stats.inputNames.length, classes: classNames.length };
}

/** The training rows' label values, as numbers in numeric order when they all are integers. */
function sortedClasses(table: CsvTable, rows: Int32Array): string[] {
  const seen = new Set<number>();
  for (const row of rows) seen.add(table.label.codes[row]!);
  const names = [...seen].map((code) => table.label.values[code]!);
  const integers = names.every((name) => /^[+-]?\d+$/.test(name));
  return integers ? names.sort((a, b) => Number(a) - Number(b)) : names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function allRows(count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => i);
}
