/**
 * A data file that cannot be used, with the file, what is wrong with it and, for a text file, where:
 * 1-based line and column (of the character, after a byte-order mark), as a `FILE:LINE:COL` prefix.
 */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line: number | null = null,
    readonly col: number | null = null,
    readonly hint?: string,
    /** The text of line `line`, to point at the column under it. */
    readonly excerpt?: string,
  ) {
    super(`${line === null ? file : `${file}:${line}:${col ?? 1}`}: ${problem}`);
    this.name = 'DataFileError';
  }
}
