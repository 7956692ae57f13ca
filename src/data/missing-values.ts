/** Fields read as a missing value: pandas' default NA strings, and `?` (the UCI repository's). */
export const MISSING_VALUES: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A', '?']);

/** What a missing feature value becomes: an error (FILE:LINE:COL), the training mean (or most frequent category), or the row is dropped. */
export const MISSING_POLICIES = ['error', 'mean', 'drop'] as const;
export type MissingPolicy = (typeof MISSING_POLICIES)[number];
