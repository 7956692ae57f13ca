import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsvDataset, type CsvSource } from '../../../src/data/csv-dataset.ts';
import { DataFileError } from '../../../src/data/data-file-error.ts';
import { stratifiedSplit } from '../../../src/data/split.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
function file(text: string | Buffer): string {
  const name = path.join(dir, `t${counter++}.csv`);
  writeFileSync(name, text);
  return name;
}
function source(train: string, options: Partial<CsvSource> = {}): CsvSource {
  return {
    kind: 'csv',
    train,
    test: null,
    split: { test: 0.5, seed: 0 },
    label: 'class',
    features: 'all',
    categorical: [],
    standardize: false,
    missing: 'error',
    delimiter: ',',
    ...options,
  };
}
function failure(s: CsvSource): DataFileError {
  try {
    loadCsvDataset(s);
  } catch (error) {
    if (error instanceof DataFileError) return error;
    throw error;
  }
  throw new Error('no error');
}
const rows = (set: { images: Float32Array | Uint8Array; features: number; count: number }) =>
  Array.from({ length: set.count }, (_, r) => Array.from(set.images.subarray(r * set.features, (r + 1) * set.features)));

describe('CSV datasets: reading', () => {
  it('reads numeric columns as they are, labels as sorted classes, with a test file', () => {
    const train = file('a,b,class\n1,2,y\n3,4.5,x\n5,6,y\n');
    const test = file('b,a,class\n7,8,x\n');
    const data = loadCsvDataset(source(train, { test, split: null }));
    expect(data.classNames).toEqual(['x', 'y']);
    expect(data.inputNames).toEqual(['a', 'b']);
    expect(rows(data.train)).toEqual([
      [1, 2],
      [3, 4.5],
      [5, 6],
    ]);
    expect(Array.from(data.train.labels)).toEqual([1, 0, 1]);
    // The test file's columns are matched by name, not position.
    expect(rows(data.test)).toEqual([[8, 7]]);
    expect(data.train.classes).toBe(2);
  });

  it('orders integer labels numerically (2 before 10)', () => {
    const data = loadCsvDataset(source(file('x,class\n1,10\n2,2\n3,10\n4,2\n'), { split: null, test: file('x,class\n1,2\n') }));
    expect(data.classNames).toEqual(['2', '10']);
  });

  it('handles a BOM, CRLF, blank lines and quoted fields with commas, quotes and newlines', () => {
    const text = '\ufeffx,"name, quoted",class\r\n1,"a,b",p\r\n\r\n2,"say ""hi""\r\nthere",q\r\n3,"a,b",p\r\n4,c,q';
    const data = loadCsvDataset(source(file(text), { split: null, test: file('x,"name, quoted",class\n5,"a,b",q\n') }));
    expect(data.inputNames).toEqual(['x', 'name, quoted=a,b', 'name, quoted=c', 'name, quoted=say "hi"\r\nthere']);
    expect(rows(data.train)).toEqual([
      [1, 1, 0, 0],
      [2, 0, 0, 1],
      [3, 1, 0, 0],
      [4, 0, 1, 0],
    ]);
  });

  it('one-hot encodes string columns from the training categories; a test-only category is zeros and counted', () => {
    const train = file('colour,size,class\nred,1,a\nblue,2,b\nred,3,a\n');
    const test = file('colour,size,class\ngreen,1,a\nblue,2,b\ngreen,1,a\n');
    const data = loadCsvDataset(source(train, { test, split: null }));
    expect(data.inputNames).toEqual(['colour=blue', 'colour=red', 'size']);
    expect(rows(data.test)).toEqual([
      [0, 0, 1],
      [1, 0, 2],
      [0, 0, 1],
    ]);
    expect(data.unseen).toEqual([{ column: 'colour', rows: 2, categories: 1, examples: ['green'] }]);
  });

  it('one-hot encodes integer codes listed as categorical', () => {
    const data = loadCsvDataset(source(file('code,class\n3,a\n1,b\n3,a\n'), { categorical: ['code'], split: null, test: file('code,class\n1,a\n') }));
    expect(data.inputNames).toEqual(['code=1', 'code=3']);
  });

  it("standardizes numeric columns with the training rows' mean and population std; a constant column is only centred", () => {
    const data = loadCsvDataset(source(file('x,k,class\n1,5,a\n3,5,b\n'), { standardize: true, split: null, test: file('x,k,class\n5,6,a\n') }));
    expect(rows(data.train)).toEqual([
      [-1, 0],
      [1, 0],
    ]);
    expect(rows(data.test)).toEqual([[3, 1]]);
  });

  it('fills in missing values with the training mean or most frequent category under missing: mean', () => {
    const train = file('x,c,class\n1,u,a\n,u,b\n3,v,a\nNA,,b\n');
    const data = loadCsvDataset(source(train, { missing: 'mean', split: null, test: file('x,c,class\n?,,a\n') }));
    expect(rows(data.train)).toEqual([
      [1, 1, 0],
      [2, 1, 0],
      [3, 0, 1],
      [2, 1, 0],
    ]);
    expect(rows(data.test)).toEqual([[2, 1, 0]]);
  });

  it('drops rows with a missing value (or label) under missing: drop', () => {
    const data = loadCsvDataset(source(file('x,class\n1,a\n,b\n3,\n4,b\n'), { missing: 'drop', split: null, test: file('x,class\n1,a\n') }));
    expect(rows(data.train)).toEqual([[1], [4]]);
  });

  it('picks a stratified split: each class keeps round(fraction × n) test rows, the same for the same seed', () => {
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
    const a = stratifiedSplit(labels, 2, 0.25, 7);
    expect(a.test.length).toBe(25);
    expect([...a.test].filter((r) => r >= 80).length).toBe(5);
    expect(stratifiedSplit(labels, 2, 0.25, 7)).toEqual(a);
    expect(stratifiedSplit(labels, 2, 0.25, 8).test).not.toEqual(a.test);
    // A class of one row stays in training.
    expect(stratifiedSplit(Int32Array.of(0, 0, 1), 2, 0.5, 0).test).toEqual(Int32Array.of(0));
  });
});

describe('CSV datasets: errors at FILE:LINE:COL', () => {
  it.each([
    ['a ragged row (too many fields)', 'x,y,class\n1,2,a\n3,4,b,5\n', { line: 3, col: 7 }, /4 fields, the header has 3/],
    ['a ragged row (too few fields)', 'x,y,class\n1,2,a\n3,b\n', { line: 3, col: 4 }, /2 fields, the header has 3/],
    ['a non-number in a numeric column', 'x,y,class\n1,2,a\n3,oops,b\n', { line: 3, col: 3 }, /`oops` is not a number, but column `y` holds numbers/],
    ['a missing value', 'x,y,class\n1,2,a\n3,,b\n', { line: 3, col: 3 }, /missing value in column `y`/],
    ['a missing label', 'x,y,class\n1,2,a\n3,4,\n', { line: 3, col: 5 }, /the label `class` is missing/],
    ['an error after a quoted newline and CRLF', 'x,n,class\r\n1,"a\r\nb",a\r\n2,b,b\r\nz,c,a\r\n', { line: 5, col: 1 }, /`z` is not a number/],
    ['an error after a BOM', '\ufeffx,class\n1,a\nz,b\n', { line: 3, col: 1 }, /`z` is not a number/],
    ['a position on the line of a BOM', '\ufeffx,x,class\n1,2,a\n', { line: 1, col: 3 }, /appears twice/],
    ['an empty file', '', { line: 1, col: 1 }, /the file is empty/],
    ['a header only', 'x,class\n', { line: 2, col: 1 }, /a header but no rows/],
    ['a label with one class', 'x,class\n1,a\n2,a\n', { line: 1, col: 3 }, /single class \(`a`\)/],
    ['an unclosed quote, at the field it opens', 'x,class\n1,"a\r\n\r\n', { line: 2, col: 3 }, /a quoted field is not closed/],
    ['text after a closing quote', 'x,n,class\n1,"a"b,c\n', { line: 2, col: 3 }, /CSV syntax: Invalid Closing Quote/],
    ['a duplicated column name', 'x,x,class\n1,2,a\n', { line: 1, col: 3 }, /appears twice/],
  ] as const)('%s', (_, text, where, message) => {
    const error = failure(source(file(text), { split: null, test: file('x,y,class\n1,2,a\n') }));
    expect({ line: error.line, col: error.col }).toEqual(where);
    expect(error.problem).toMatch(message);
    expect(error.message).toMatch(/^\/.+\.csv:\d+:\d+: /);
  });

  it('a test label that no training row has, at its place in the test file', () => {
    const error = failure(source(file('x,class\n1,a\n2,b\n'), { split: null, test: file('x,class\n1,a\n2,c\n') }));
    expect([error.line, error.col, error.problem]).toEqual([3, 3, 'the label `c` is not a class of the training rows (a, b)']);
  });

  it('a missing file', () => {
    expect(failure(source(path.join(dir, 'absent.csv'))).problem).toBe('no such file');
  });
});
