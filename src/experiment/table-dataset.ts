import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCsvDataset, type CsvSource } from '../data/csv-dataset.ts';
import { readCsvHeader } from '../data/csv-table.ts';
import { DataFileError } from '../data/data-file-error.ts';
import { loadNpyDataset } from '../data/npy-dataset.ts';
import type { DatasetInfo } from './dataset-info.ts';
import { csvIdentity, npyIdentity, sha256File } from './dataset-identity.ts';
import type { CsvDataset, DatasetCommon, NpyDataset } from './run-config.ts';
import type { DatasetFile } from './schema.ts';
import type { Finding } from './settings.ts';
import type { NodePath } from './source.ts';
import { didYouMean } from './suggest.ts';

type Inspected = { info: DatasetInfo | null; findings: Finding[] };
const at = (...keys: (string | number)[]) => ({ kind: 'file' as const, path: ['dataset', ...keys] as NodePath });

/**
 * Inspects a `source: csv` dataset: reads and encodes it whole, as a run will, so that a bad row is
 * reported at its FILE:LINE:COL when planning rather than in a worker, and the input width and
 * classes are known for the layers. A label, feature or categorical column that the header lacks
 * is reported at its place in the experiment file, with the closest column name.
 */
export function inspectCsv(dataset: DatasetFile, experimentFile: string): Inspected {
  const findings: Finding[] = [];
  if (dataset.train === undefined)
    findings.push({
      code: 'missing-key',
      severity: 'error',
      origin: at('source'),
      message: '`source: csv` needs `train`, the CSV file of training rows',
      hint: 'e.g. `train: data/wine.csv`, relative to the experiment file',
    });
  if (dataset.label === undefined)
    findings.push({ code: 'missing-key', severity: 'error', origin: at('source'), message: '`source: csv` needs `label`, the column to predict' });
  if (dataset.test === undefined && dataset.split === undefined)
    findings.push({
      code: 'missing-key',
      severity: 'error',
      origin: at('source'),
      message: '`source: csv` needs a `test` file or a `split`',
      hint: 'e.g. `split: {test: 0.2, seed: 0}` holds out a fifth of each class',
    });
  if (dataset.test !== undefined && dataset.split !== undefined)
    findings.push({ code: 'conflicting-keys', severity: 'error', origin: at('split'), key: true, message: 'give either a `test` file or a `split`, not both' });
  if (findings.length) return { info: null, findings };

  const shown = (given: string) => path.join(path.dirname(experimentFile), given);
  const base = path.dirname(path.resolve(experimentFile));
  const files = { train: path.resolve(base, dataset.train!), test: dataset.test === undefined ? null : path.resolve(base, dataset.test) };
  const source: CsvSource = {
    kind: 'csv',
    train: files.train,
    test: files.test,
    split: dataset.split ? { test: dataset.split.test, seed: dataset.split.seed ?? 0 } : null,
    label: dataset.label!,
    features: dataset.features ?? 'all',
    categorical: dataset.categorical ?? [],
    standardize: dataset.standardize ?? true,
    missing: dataset.missing ?? 'error',
    delimiter: dataset.delimiter ?? ',',
  };
  const sha256: { train: string; test: string | null } = { train: '', test: null };
  for (const key of ['train', 'test'] as const) {
    const file = files[key];
    if (file === null) continue;
    try {
      sha256[key] = sha256File(file);
      const header = readCsvHeader(file, source.delimiter);
      checkColumns(header, source, key, shown(dataset[key]!), findings);
    } catch (error) {
      findings.push(fileFinding(error, key, dataset[key]!, file, shown(dataset[key]!)));
    }
  }
  if (findings.length) return { info: null, findings };

  let data: ReturnType<typeof loadCsvDataset>;
  try {
    data = loadCsvDataset(source);
  } catch (error) {
    if (!(error instanceof DataFileError)) throw error;
    const key = error.file === files.test ? 'test' : 'train';
    return { info: null, findings: [dataFinding(error, shown(dataset[key]!), key)] };
  }
  for (const u of data.unseen) {
    findings.push({
      code: 'unseen-category',
      severity: 'warning',
      origin: at(dataset.test !== undefined ? 'test' : 'split'),
      message: `${u.rows} test row${u.rows === 1 ? ' has' : 's have'} a category of \`${u.column}\` that no training row has (${u.examples.map((e) => `\`${e}\``).join(', ')}${u.categories > u.examples.length ? ', …' : ''}): encoded as all zeros`,
    });
  }
  const config: Omit<CsvDataset, keyof DatasetCommon> = {
    source: 'csv',
    train: files.train,
    test: files.test,
    split: source.split,
    label: source.label,
    features: source.features,
    categorical: source.categorical,
    standardize: source.standardize,
    missing: source.missing,
    delimiter: source.delimiter,
    sha256,
    inputs: data.inputNames,
    classes: data.classNames,
    train_rows: data.train.count,
  };
  return {
    info: {
      source: 'csv',
      name: path.basename(files.train),
      identity: csvIdentity(config),
      features: data.inputNames.length,
      classes: data.classNames.length,
      trainImages: data.train.count,
      testImages: data.test.count,
      idx: null,
      table: config,
      inputs: 'inputs',
    },
    findings,
  };
}

function checkColumns(header: string[], source: CsvSource, key: 'train' | 'test', shownFile: string, findings: Finding[]): void {
  const missing = (name: string, origin: ReturnType<typeof at>, role: string) => {
    const close = didYouMean(name, header);
    findings.push({
      code: 'unknown-column',
      severity: 'error',
      origin,
      message: `${key === 'test' ? `the test file ${shownFile} has` : 'there is'} no ${role} column \`${name}\`${close ? `; did you mean \`${close}\`?` : ''}`,
      hint: `the columns of ${shownFile} are ${header.length > 12 ? `${header.slice(0, 12).join(', ')}, … (${header.length} in all)` : header.join(', ')}`,
    });
  };
  if (!header.includes(source.label)) missing(source.label, at('label'), 'label');
  for (const list of key === 'train' ? (['features', 'categorical'] as const) : []) {
    const names = source[list];
    const i = names === 'all' ? -1 : names.indexOf(source.label);
    if (i >= 0)
      findings.push({ code: 'bad-column', severity: 'error', origin: at(list, i), message: `\`${source.label}\` is the label: it cannot also be a feature` });
  }
  if (source.features !== 'all')
    source.features.forEach((name, i) => {
      if (!header.includes(name)) missing(name, at('features', i), 'feature');
    });
  else if (key === 'train' && header.length < 2)
    findings.push({ code: 'bad-data-file', severity: 'error', origin: at('train'), message: `${shownFile} has a single column: no feature besides the label` });
  source.categorical.forEach((name, i) => {
    if (!header.includes(name)) missing(name, at('categorical', i), 'categorical');
  });
}

/**
 * Inspects a `source: npy` dataset: the four files are read and checked as a run reads them. A
 * problem is reported at the key that names the file.
 */
export function inspectNpy(dataset: DatasetFile, experimentFile: string): Inspected {
  const keys = ['train_x', 'train_y', 'test_x', 'test_y'] as const;
  const absent = keys.filter((key) => dataset[key] === undefined);
  if (absent.length) {
    return {
      info: null,
      findings: [
        {
          code: 'missing-key',
          severity: 'error',
          origin: at('source'),
          message: `\`source: npy\` needs ${absent.map((k) => `\`${k}\``).join(', ')}`,
          hint: 'train_x, train_y, test_x and test_y name .npy files, relative to the experiment file',
        },
      ],
    };
  }
  const base = path.dirname(path.resolve(experimentFile));
  const paths = Object.fromEntries(keys.map((key) => [key, path.resolve(base, dataset[key]!)])) as Record<(typeof keys)[number], string>;
  const sha256 = {} as Record<(typeof keys)[number], string>;
  const findings: Finding[] = [];
  for (const key of keys) {
    try {
      sha256[key] = sha256File(paths[key]);
    } catch (error) {
      findings.push(fileFinding(error, key, dataset[key]!, paths[key], path.join(path.dirname(experimentFile), dataset[key]!)));
    }
  }
  if (findings.length) return { info: null, findings };
  let data: ReturnType<typeof loadNpyDataset>;
  try {
    data = loadNpyDataset({ kind: 'npy', trainX: paths.train_x, trainY: paths.train_y, testX: paths.test_x, testY: paths.test_y }, (file) =>
      readFileSync(file),
    );
  } catch (error) {
    if (!(error instanceof DataFileError)) throw error;
    const key = keys.find((k) => paths[k] === error.file) ?? 'train_x';
    return {
      info: null,
      findings: [{ code: 'bad-data-file', severity: 'error', origin: at(key), message: `${key} is not usable: ${error.problem}`, hint: error.hint }],
    };
  }
  const config: Omit<NpyDataset, keyof DatasetCommon> = { source: 'npy', ...paths, sha256, example_shape: data.exampleShape, train_rows: data.train.count };
  return {
    info: {
      source: 'npy',
      name: path.basename(paths.train_x),
      identity: npyIdentity(sha256),
      features: data.train.features,
      classes: data.train.classes,
      trainImages: data.train.count,
      testImages: data.test.count,
      idx: null,
      table: config,
      inputs: data.exampleShape.length === 2 ? 'pixels' : 'inputs',
    },
    findings,
  };
}

function fileFinding(error: unknown, key: string, given: string, absolute: string, shownFile: string): Finding {
  if (error instanceof DataFileError) return dataFinding(error, shownFile, key);
  const code = (error as NodeJS.ErrnoException).code;
  return {
    code: 'file-not-found',
    severity: 'error',
    origin: at(key),
    message: code === 'ENOENT' ? `${key}: no such file ${absolute}` : `${key}: cannot read ${absolute} (${code ?? (error as Error).message})`,
    hint: `paths are relative to the experiment file (${given} given)`,
  };
}

/** A problem in a data file, at its FILE:LINE:COL when it has one. */
function dataFinding(error: DataFileError, shownFile: string, key: string): Finding {
  return {
    code: 'bad-data-file',
    severity: 'error',
    origin: error.line === null ? at(key) : { kind: 'data', file: shownFile, line: error.line, col: error.col, excerpt: error.excerpt },
    message: error.line === null ? `${key} (${shownFile}) is not usable: ${error.problem}` : error.problem,
    hint: error.hint,
  };
}

/**
 * For `plan`: a table's or arrays' shape as the network sees it, e.g. `wine-train.csv: 142 training
 * and 36 test rows, 13 inputs (alcohol, malic_acid, …), 3 classes (1, 2, 3)`; null for images.
 */
export function describeTable(info: DatasetInfo): string | null {
  const table = info.table;
  if (!table) return null;
  const list = (items: readonly string[]) => (items.length > 6 ? `${items.slice(0, 5).join(', ')}, …` : items.join(', '));
  const inputs = table.source === 'csv' ? ` (${list(table.inputs)})` : ` (each ${table.example_shape.join(' × ')})`;
  const classes = table.source === 'csv' ? ` (${list(table.classes)})` : '';
  return (
    `${info.name}: ${info.trainImages.toLocaleString('en-US')} training and ${info.testImages.toLocaleString('en-US')} test rows, ` +
    `${info.features} input${info.features === 1 ? '' : 's'}${inputs}, ${info.classes} classes${classes}; \`layers: [auto, …, auto]\` takes ${info.features} and ${info.classes}`
  );
}
