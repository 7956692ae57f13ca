import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CsvError, Parser } from 'csv-parse';
import { fieldPosition } from './csv-position.ts';
import { DataFileError } from './data-file-error.ts';
import { MISSING_VALUES, type MissingPolicy } from './missing-values.ts';

export type { MissingPolicy };

/**
 * A column of a table as read, one value per kept row: numbers as float32 (NaN where missing), or
 * category codes (-1 where missing) into `categories`, in the order of first appearance.
 */
export type CsvColumn =
  | { readonly name: string; readonly kind: 'numeric'; values: Float32Array }
  | { readonly name: string; readonly kind: 'categorical'; codes: Int32Array; readonly categories: string[] };

/** A CSV file's label and feature columns; `records[r]` is row r's record number in the file (the header's is 0), for messages. */
export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: number;
  /** Label codes into `values`, in the order of first appearance. */
  readonly label: { readonly codes: Int32Array; readonly values: string[] };
  readonly columns: readonly CsvColumn[];
  readonly records: Int32Array;
  readonly delimiter: string;
}

export interface CsvReadOptions {
  label: string;
  /** The feature columns, or every column but the label. */
  features: 'all' | readonly string[];
  /** Columns read as categories even when their values are numbers (integer-coded categories). */
  categorical: readonly string[];
  missing: MissingPolicy;
  delimiter: string;
  /** The kinds of the training file's columns, which a test file must follow; absent for the training file. */
  kinds?: ReadonlyMap<string, 'numeric' | 'categorical'>;
}

/** Bytes read at a time: the text is never held whole, only the columns it becomes. */
const CHUNK_BYTES = 1 << 20;

/** The first record of a CSV file: its column names. Throws DataFileError for an empty or unreadable file. */
export function readCsvHeader(file: string, delimiter = ','): string[] {
  let header: string[] | null = null;
  streamRecords(file, delimiter, (record) => {
    header = record.map((name) => name.trim());
    return false;
  });
  if (header === null) throw new DataFileError(file, 'the file is empty; expected a header line of column names, then one row per example', 1, 1);
  return header;
}

/**
 * Streams a CSV file (header line first; BOM, CRLF and quoted fields with delimiters and newlines
 * handled by csv-parse) into columns. A column is numeric unless it is listed in `categorical` or
 * its first value present is not a number. Throws DataFileError at FILE:LINE:COL for a ragged row,
 * a non-number in a numeric column, a missing value under `missing: error` (a missing label always),
 * a header without rows, or bad CSV syntax.
 */
export function readCsvTable(file: string, options: CsvReadOptions): CsvTable {
  const { delimiter } = options;
  let header: string[] | null = null;
  let labelIndex = -1;
  let featureIndices: number[] = [];
  let builders: ColumnBuilder[] = [];
  const label = { codes: new GrowingInt32(), values: [] as string[], index: new Map<string, number>() };
  const records = new GrowingInt32();
  let rows = 0;
  let dropped = 0;
  const fail = (record: number, field: number, problem: string, hint?: string): never => {
    const at = locateField(file, record, field, delimiter);
    throw new DataFileError(file, problem, at.line, at.col, hint, at.text);
  };

  streamRecords(file, delimiter, (record, index) => {
    if (header === null) {
      header = record.map((name) => name.trim());
      ({ labelIndex, featureIndices } = selectColumns(file, header, options));
      builders = featureIndices.map(
        (i) => new ColumnBuilder(header![i]!, options.kinds?.get(header![i]!) ?? (options.categorical.includes(header![i]!) ? 'categorical' : null)),
      );
      return true;
    }
    if (record.length !== header.length) {
      const problem = `this row has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${header.length}`;
      fail(index, Math.min(record.length, header.length), problem, 'every row needs one value per column; quote a value that contains the delimiter');
    }
    const labelText = record[labelIndex]!.trim();
    const missingLabel = isMissing(labelText);
    const isDropped = missingLabel || (options.missing === 'drop' && featureIndices.some((i) => isMissing(record[i]!)));
    if (missingLabel && options.missing !== 'drop')
      fail(index, labelIndex, `the label \`${header[labelIndex]}\` is missing`, 'every row needs a label; `missing: drop` drops rows with missing values');
    if (isDropped) {
      dropped++;
      return true;
    }
    for (let c = 0; c < builders.length; c++) {
      const builder = builders[c]!;
      const text = record[featureIndices[c]!]!;
      const problem = builder.add(text, options.missing === 'error');
      if (problem) fail(index, featureIndices[c]!, problem.message, problem.hint);
    }
    let code = label.index.get(labelText);
    if (code === undefined) {
      code = label.values.length;
      label.values.push(labelText);
      label.index.set(labelText, code);
    }
    label.codes.push(code);
    records.push(index);
    rows++;
    return true;
  });

  if (header === null) throw new DataFileError(file, 'the file is empty; expected a header line of column names, then one row per example', 1, 1);
  if (rows === 0) {
    if (dropped > 0)
      throw new DataFileError(
        file,
        `every one of the ${dropped} rows has a missing value and was dropped (\`missing: drop\`)`,
        null,
        null,
        '`missing: mean` fills missing values in instead',
      );
    throw new DataFileError(file, 'the file has a header but no rows', 2, 1, 'add one row per example below the header');
  }
  return {
    file,
    header,
    rows,
    delimiter,
    label: { codes: label.codes.done(), values: label.values },
    columns: builders.map((b) => b.done(rows)),
    records: records.done(),
  };
}

function selectColumns(file: string, header: string[], options: CsvReadOptions): { labelIndex: number; featureIndices: number[] } {
  const duplicate = header.find((name, i) => header.indexOf(name) !== i);
  if (duplicate !== undefined) {
    const at = fieldPosition(file, 0, header.lastIndexOf(duplicate), options.delimiter);
    throw new DataFileError(file, `the column name \`${duplicate}\` appears twice in the header`, at.line, at.col, 'column names must be unique', at.text);
  }
  const index = (name: string, role: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataFileError(file, `no ${role} column \`${name}\`; the columns are ${header.join(', ')}`, 1, 1);
    return i;
  };
  const labelIndex = index(options.label, 'label');
  const names = options.features === 'all' ? header.filter((_, i) => i !== labelIndex) : options.features;
  const featureIndices = names.map((name) => index(name, 'feature'));
  if (featureIndices.includes(labelIndex)) throw new DataFileError(file, `the label \`${options.label}\` cannot also be a feature`);
  if (featureIndices.length === 0) throw new DataFileError(file, `the file has no column besides the label \`${options.label}\` to use as a feature`, 1, 1);
  return { labelIndex, featureIndices };
}

export function isMissing(text: string): boolean {
  if (MISSING_VALUES.has(text)) return true;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return (first <= 32 || last <= 32) && MISSING_VALUES.has(text.trim());
}

/** One column while it is read: its kind is fixed by the first value present (or by `categorical`). */
class ColumnBuilder {
  private numbers: GrowingFloat32 | null = null;
  private codes: GrowingInt32 | null = null;
  private readonly categories: string[] = [];
  private readonly index = new Map<string, number>();
  /** Rows read before the kind was known: all missing. */
  private pending = 0;

  constructor(
    readonly name: string,
    kind: 'numeric' | 'categorical' | null,
  ) {
    if (kind === 'numeric') this.numbers = new GrowingFloat32();
    if (kind === 'categorical') this.codes = new GrowingInt32();
  }

  /** Adds the next row's field; returns the problem when the value cannot be used. */
  add(text: string, missingIsError: boolean): { message: string; hint: string } | null {
    if (isMissing(text)) {
      if (missingIsError)
        return {
          message: `missing value in column \`${this.name}\``,
          hint: '`missing: mean` fills in the training mean (or the most frequent category), `missing: drop` drops the row',
        };
      if (this.numbers) this.numbers.push(NaN);
      else if (this.codes) this.codes.push(-1);
      else this.pending++;
      return null;
    }
    if (!this.numbers && !this.codes) {
      if (Number.isFinite(Number(text))) this.numbers = new GrowingFloat32();
      else this.codes = new GrowingInt32();
      for (let i = 0; i < this.pending; i++) {
        if (this.numbers) this.numbers.push(NaN);
        else this.codes!.push(-1);
      }
    }
    if (this.numbers) {
      const value = Number(text);
      if (!Number.isFinite(value)) {
        return {
          message: `\`${text.length > 40 ? `${text.slice(0, 40)}…` : text}\` is not a number, but column \`${this.name}\` holds numbers`,
          hint: `list \`${this.name}\` under \`categorical:\` if its values are categories`,
        };
      }
      this.numbers.push(value);
      return null;
    }
    const category = text.trim();
    let code = this.index.get(category);
    if (code === undefined) {
      code = this.categories.length;
      this.categories.push(category);
      this.index.set(category, code);
    }
    this.codes!.push(code);
    return null;
  }

  done(rows: number): CsvColumn {
    if (this.codes) return { name: this.name, kind: 'categorical', codes: this.codes.done(), categories: this.categories };
    // A column with no value present at all reads as numeric, all missing.
    const numbers = this.numbers ?? new GrowingFloat32();
    if (!this.numbers) for (let i = 0; i < rows; i++) numbers.push(NaN);
    return { name: this.name, kind: 'numeric', values: numbers.done() };
  }
}

/**
 * The 1-based line and column of field `field` of record `record` (0 is the header), found by
 * reading the file again up to it: positions are needed only for a message, and csv-parse's
 * `info` (which gives them) costs about 60% of its time on every record.
 */
export function locateField(file: string, record: number, field: number, delimiter: string): { line: number; col: number; text: string } {
  return fieldPosition(file, recordStart(file, record, delimiter), field, delimiter);
}

/** The byte offset where record `record` starts (or where csv-parse stopped, for a record it cannot read). */
function recordStart(file: string, record: number, delimiter: string): number {
  let start = 0;
  try {
    streamRecords(
      file,
      delimiter,
      (_, index, end) => {
        if (index === record) return false;
        start = end;
        return true;
      },
      true,
    );
  } catch (error) {
    if (!(error instanceof DataFileError)) throw error;
  }
  return start;
}

/**
 * Feeds the file to csv-parse a chunk at a time (synchronously, through the parser's own
 * `api.parse`, the function its stream and sync forms both call) and calls `onRecord` with each
 * record and its number (the header's is 0), and with `positions` the byte offset where it ends,
 * until it returns false.
 */
function streamRecords(file: string, delimiter: string, onRecord: (record: string[], index: number, end: number) => boolean, positions = false): void {
  const parser = new Parser({ bom: true, info: positions, delimiter, relax_column_count: true, skip_empty_lines: true }) as Parser & { api: ParserApi };
  let index = 0;
  let stopped = false;
  const push = positions
    ? (entry: unknown) => {
        const { record, info } = entry as { record: string[]; info: { bytes: number } };
        if (!stopped && !onRecord(record, index++, info.bytes)) stopped = true;
      }
    : (record: unknown) => {
        if (!stopped && !onRecord(record as string[], index++, -1)) stopped = true;
      };
  let fd: number | null = null;
  try {
    try {
      fd = openSync(file, 'r');
      if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('it is a folder'), { code: 'EISDIR' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DataFileError(file, code === 'ENOENT' ? 'no such file' : `cannot read: ${(error as Error).message}`);
    }
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      const error = parser.api.parse(read === 0 ? undefined : chunk.subarray(0, read), read === 0, push, () => {});
      if (error) throw syntaxError(file, error, index, delimiter, positions);
      if (read === 0 || stopped) return;
    }
  } catch (error) {
    if (error instanceof CsvError) throw syntaxError(file, error, index, delimiter, positions);
    throw error;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** What csv-parse 6's Parser keeps in `api` (lib/index.js) and its `parse` from `csv-parse/sync` calls: records are pushed synchronously. */
interface ParserApi {
  parse(chunk: Buffer | undefined, end: boolean, push: (record: unknown) => void, close: () => void): Error | undefined;
}

/**
 * csv-parse's own errors (an unclosed quote, text after a closing quote), at the field of the
 * record where they are, by our own count: csv-parse's takes a quoted CRLF for two lines. While
 * locating (`positions`), the place is not looked for again.
 */
function syntaxError(file: string, error: Error, record: number, delimiter: string, positions: boolean): DataFileError {
  const field = (error as { column?: unknown }).column;
  const at = positions ? { line: null, col: null, text: undefined } : locateField(file, record, typeof field === 'number' ? field : 0, delimiter);
  const code = (error as { code?: string }).code;
  const message =
    code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a quoted field is not closed: the file ends inside it'
      : `CSV syntax: ${error.message.replace(/\s*(at|on) line \d+\.?/, '')}`;
  return new DataFileError(
    file,
    message,
    at.line,
    at.col,
    'a field with the delimiter, a quote or a newline must be quoted, and quotes inside it doubled ("")',
    at.text,
  );
}

/** A typed array that doubles as it grows: at most twice the final column in memory while reading. */
class Growing<T extends Float32Array | Int32Array> {
  private data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  done(): T {
    return this.data.subarray(0, this.length) as T;
  }
}
class GrowingFloat32 extends Growing<Float32Array> {
  constructor() {
    super((n) => new Float32Array(n));
  }
}
class GrowingInt32 extends Growing<Int32Array> {
  constructor() {
    super((n) => new Int32Array(n));
  }
}
