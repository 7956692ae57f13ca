/**
 * Fuzzing the CSV and .npy boundary: text assembled from the pieces CSV goes wrong with (quotes,
 * delimiters, CR, LF, BOM, missing values, words among numbers, ragged rows) and damaged .npy files
 * (truncated, headers rewritten, dtypes and shapes changed, 10¹² rows claimed) are refused with a
 * DataFileError, at a position inside the file when it has one, or as located problems at
 * validation; whatever validation accepts, loading the data for a run accepts too.
 */
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsvDataset } from '../../../src/data/csv-dataset.ts';
import { DataFileError } from '../../../src/data/data-file-error.ts';
import { loadDataset } from '../../../src/data/load.ts';
import { encodeNpy, npyFeatures, npyLabels } from '../../../src/data/npy.ts';
import { loadExperiment, toDatasetSpec } from '../../../src/experiment/index.ts';
import { checkPrinted, count, fuzzOptions, tried, validateAtBoundary } from '../../support/fuzz.ts';
import { workspace } from '../../support/workspace.ts';

const space = workspace('fuzz-table');
afterAll(() => {
  process.stdout.write(`fuzz cases tried (tables): ${[...tried].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
});
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 1000) / 4;

const piece = fc.constantFrom(',', ',', '"', '""', '\n', '\n', '\r\n', '\r', '\ufeff', ' ', '1', '2.5', '-3e2', 'a', 'b', 'x', 'NA', '?', 'é', ';', 'class');
/** A table that is valid more often than not, then damaged by a few pieces put anywhere. */
const table = fc.record({
  rows: fc.array(fc.tuple(fc.constantFrom('1', '2.5', '', 'NA', 'red', '-1e3', '"4,5"'), fc.constantFrom('0', '1', '2', 'a', 'b', ' ')), { maxLength: 8 }),
  damage: fc.array(fc.tuple(fc.nat(), fc.array(piece, { maxLength: 4 })), { maxLength: 3 }),
  bom: fc.boolean(),
  crlf: fc.boolean(),
});
type Table = typeof table extends fc.Arbitrary<infer T> ? T : never;

function text(t: Table): string {
  const eol = t.crlf ? '\r\n' : '\n';
  let body = `${t.bom ? '\ufeff' : ''}x,class${eol}${t.rows.map(([x, label]) => `${x},${label}`).join(eol)}${eol}`;
  for (const [at, pieces] of t.damage) {
    const i = at % (body.length + 1);
    body = body.slice(0, i) + pieces.join('') + body.slice(i);
  }
  return body;
}

let caseNumber = 0;
describe('fuzzed CSV files', () => {
  it('loading throws nothing but DataFileError, placed inside the file', () => {
    fc.assert(
      fc.property(table, fc.constantFrom('error', 'mean', 'drop') as fc.Arbitrary<'error' | 'mean' | 'drop'>, fc.boolean(), (t, missing, split) => {
        count('csv-load');
        const body = text(t);
        const file = space.write(`load-${caseNumber++ % 20}.csv`, body);
        try {
          loadCsvDataset({
            kind: 'csv',
            train: file,
            test: split ? null : file,
            split: split ? { test: 0.3, seed: 1 } : null,
            label: 'class',
            features: 'all',
            categorical: [],
            standardize: true,
            missing,
            delimiter: ',',
          });
        } catch (error) {
          if (!(error instanceof DataFileError)) throw error;
          if (error.line !== null) {
            expect(error.line).toBeGreaterThanOrEqual(1);
            expect(error.line).toBeLessThanOrEqual(body.split('\n').length);
            expect(error.col).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      fuzzOptions(NUM_RUNS, 5_000),
    );
  });

  it('validation reports bad tables as located problems; what it accepts, a run can load', () => {
    fc.assert(
      fc.property(table, (t) => {
        count('csv-experiment');
        const dir = `case-${caseNumber++ % 20}`;
        space.write(path.join(dir, 't.csv'), text(t));
        const experiment = space.write(
          path.join(dir, 'e.yaml'),
          [
            'name: csv-fuzz',
            'dataset:',
            '  source: csv',
            '  train: t.csv',
            '  split: {test: 0.4}',
            '  label: class',
            '  missing: mean',
            'defaults:',
            '  layers: [auto, auto]',
            '',
          ].join('\n'),
        );
        const outcome = validateAtBoundary(experiment);
        if (!outcome.ok) {
          const wrong = checkPrinted(outcome.problems, experiment);
          if (wrong) throw new Error(wrong);
          return;
        }
        const run = loadExperiment(experiment).runs[0]!;
        const data = loadDataset(toDatasetSpec(run.config.dataset));
        expect(data.train.features).toBe(run.config.layers[0]);
        expect(data.train.classes).toBe(run.config.layers.at(-1));
      }),
      fuzzOptions(NUM_RUNS, 7_000),
    );
  });
});

const npyDamage = fc.record({
  kind: fc.constantFrom('truncate', 'byte', 'header', 'descr', 'shape', 'huge', 'append', 'version', 'empty'),
  at: fc.nat(),
  value: fc.nat({ max: 255 }),
  descr: fc.constantFrom('<f4', '<f8', '>f4', '|u1', '<i8', '|O', '<c8', '<U3', '|b1', '<f2', 'junk'),
  shape: fc.array(fc.nat({ max: 6 }), { maxLength: 4 }),
});
type NpyDamage = typeof npyDamage extends fc.Arbitrary<infer T> ? T : never;

function damaged(d: NpyDamage): Uint8Array {
  const valid = encodeNpy('<f4', [3, 2], new Uint8Array(new Float32Array([0, 0.5, 1, 1.5, 2, 2.5]).buffer));
  const header = (descr: string, shape: readonly number[]) => encodeNpy(descr, shape, valid.subarray(64));
  switch (d.kind) {
    case 'truncate':
      return valid.subarray(0, d.at % valid.length);
    case 'byte': {
      const b = Uint8Array.from(valid);
      b[d.at % b.length] = d.value;
      return b;
    }
    case 'header': {
      const b = Uint8Array.from(valid);
      b[10 + (d.at % 54)] = d.value;
      return b;
    }
    case 'descr':
      return header(d.descr, [3, 2]);
    case 'shape':
      return header('<f4', d.shape);
    case 'huge':
      return header('<f4', [1e12, 2]);
    case 'append':
      return Uint8Array.from([...valid, d.value]);
    case 'version': {
      const b = Uint8Array.from(valid);
      b[6] = d.value;
      return b;
    }
    case 'empty':
      return new Uint8Array(0);
  }
}

describe('fuzzed .npy files', () => {
  it('reading features or labels throws nothing but DataFileError, and never allocates a claimed 10¹² rows', () => {
    fc.assert(
      fc.property(npyDamage, fc.boolean(), (d, labels) => {
        count('npy-read');
        try {
          if (labels) npyLabels(damaged(d), 'f');
          else npyFeatures(damaged(d), 'f');
        } catch (error) {
          if (!(error instanceof DataFileError)) throw error;
        }
      }),
      fuzzOptions(NUM_RUNS, 3_000),
    );
  });
});
