import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataFileError, parseIdx, parseIdxHeader } from '../data/idx.ts';
import { BUNDLED_MNIST_PACKAGE } from '../data/mnist.ts';
import { idxIdentity } from './dataset-identity.ts';
import type { DatasetInfo, IdxKey, IdxPaths } from './dataset-info.ts';
import type { DatasetFile } from './schema.ts';
import type { Finding } from './settings.ts';
import { inspectCsv, inspectNpy } from './table-dataset.ts';

export type { DatasetInfo } from './dataset-info.ts';

export { idxIdentity };

const IDX_KEYS: readonly IdxKey[] = ['train_images', 'train_labels', 'test_images', 'test_labels'];
const IDX_DEFAULTS: IdxPaths = {
  train_images: 'train-images-idx3-ubyte',
  train_labels: 'train-labels-idx1-ubyte',
  test_images: 't10k-images-idx3-ubyte',
  test_labels: 't10k-labels-idx1-ubyte',
};

/** The keys each source reads (besides the limits and the validation split, which all do). */
const SOURCE_KEYS = {
  idx: IDX_KEYS,
  csv: ['train', 'test', 'split', 'label', 'features', 'categorical', 'standardize', 'missing', 'delimiter'],
  npy: ['train_x', 'train_y', 'test_x', 'test_y'],
} as const satisfies Record<string, readonly (keyof DatasetFile)[]>;

const OWN_FILES = { idx: 'IDX files', csv: 'CSV table', npy: '.npy files' } as const;

/** The bundled MNIST: 60,000 training and 10,000 test images of 28 × 28 pixels, 10 classes. */
export const MNIST_INFO: DatasetInfo = {
  source: 'mnist',
  name: 'MNIST',
  identity: BUNDLED_MNIST_PACKAGE,
  features: 784,
  classes: 10,
  trainImages: 60_000,
  testImages: 10_000,
  idx: null,
};

/**
 * Inspects the dataset of an experiment file at `experimentFile`. For IDX files this reads them
 * (headers, labels, and every byte for the sha256), so a problem with a file is found when
 * planning, not minutes into a run. Returns null info with findings when the data cannot be used.
 */
export function inspectDataset(dataset: DatasetFile | undefined, experimentFile: string): { info: DatasetInfo | null; findings: Finding[] } {
  const findings: Finding[] = [];
  const at = (key: string) => ({ kind: 'file' as const, path: ['dataset', key] });
  const source = dataset?.source ?? 'mnist';
  for (const [owner, keys] of Object.entries(SOURCE_KEYS) as [keyof typeof SOURCE_KEYS, readonly (keyof DatasetFile)[]][]) {
    if (owner === source) continue;
    for (const key of keys) {
      if (dataset?.[key] === undefined) continue;
      findings.push({
        code: 'unused-key',
        severity: 'error',
        origin: at(key),
        key: true,
        message: `\`${key}\` is only read with \`source: ${owner}\``,
        hint:
          source === 'mnist'
            ? `add \`source: ${owner}\` to use your own ${OWN_FILES[owner]}, or remove the key to use the bundled MNIST`
            : `remove it: \`source: ${source}\` does not read it`,
      });
    }
  }
  if (source === 'mnist') return { info: findings.length ? null : MNIST_INFO, findings };
  if (findings.length) return { info: null, findings };
  if (source === 'csv') return inspectCsv(dataset!, experimentFile);
  if (source === 'npy') return inspectNpy(dataset!, experimentFile);

  const base = path.dirname(path.resolve(experimentFile));
  const paths = {} as IdxPaths;
  const sha256 = {} as IdxPaths;
  const arrays: Partial<Record<IdxKey, ReturnType<typeof parseIdx>>> = {};
  for (const key of IDX_KEYS) {
    const given = dataset?.[key] ?? IDX_DEFAULTS[key];
    const origin = dataset?.[key] !== undefined ? at(key) : { kind: 'file' as const, path: ['dataset', 'source'] };
    const absolute = path.resolve(base, given);
    paths[key] = absolute;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      findings.push({
        code: 'file-not-found',
        severity: 'error',
        origin,
        message: code === 'ENOENT' ? `${key}: no such file ${absolute}` : `${key}: cannot read ${absolute} (${code})`,
        hint: dataset?.[key] === undefined ? `\`${key}\` defaults to ${given} beside the experiment file` : 'paths are relative to the experiment file',
      });
      continue;
    }
    sha256[key] = createHash('sha256').update(bytes).digest('hex');
    try {
      // Images need only their header; labels are read whole to count the classes.
      if (key.endsWith('images')) arrays[key] = { dims: parseIdxHeader(bytes, absolute).dims, values: new Uint8Array(0) };
      else arrays[key] = parseIdx(bytes, absolute);
    } catch (error) {
      if (!(error instanceof DataFileError)) throw error;
      findings.push({ code: 'bad-data-file', severity: 'error', origin, message: `${key} is not a usable IDX file: ${error.problem}` });
    }
  }
  if (findings.length) return { info: null, findings };

  const trainImages = arrays.train_images!.dims;
  const testImages = arrays.test_images!.dims;
  const trainLabels = arrays.train_labels!;
  const testLabels = arrays.test_labels!;
  const shapeProblem = (key: IdxKey, message: string, hint?: string) =>
    findings.push({ code: 'bad-data-file', severity: 'error', origin: dataset?.[key] !== undefined ? at(key) : at('source'), message, hint });
  // The same checks as loading the data for a run (src/data/load.ts), so that `validate` passes
  // only what `run` can read.
  for (const [images, labels, set] of [
    [trainImages, trainLabels, 'train'],
    [testImages, testLabels, 'test'],
  ] as const) {
    if (images.length < 2) shapeProblem(`${set}_images`, `${set}_images must have at least 2 dimensions (count, pixels...), has [${images.join(', ')}]`);
    if (labels.dims.length !== 1) shapeProblem(`${set}_labels`, `${set}_labels must have 1 dimension, has [${labels.dims.join(', ')}]`);
    else if (labels.dims[0] !== images[0])
      shapeProblem(
        `${set}_labels`,
        `${labels.dims[0]} ${set === 'train' ? 'training' : 'test'} labels for ${images[0]} ${set === 'train' ? 'training' : 'test'} images`,
      );
    const bad = labels.values.findIndex((label) => !Number.isInteger(label) || label < 0 || label > 255);
    if (bad >= 0) shapeProblem(`${set}_labels`, `${set}_labels has ${labels.values[bad]} at index ${bad}, which is not a class index from 0 to 255`);
  }
  const features = trainImages.slice(1).reduce((a, b) => a * b, 1);
  const testFeatures = testImages.slice(1).reduce((a, b) => a * b, 1);
  if (testFeatures !== features) shapeProblem('test_images', `test images have ${testFeatures} pixels but training images have ${features}`);
  if (findings.length) return { info: null, findings };

  // The classes are those of the training labels; a test label beyond them is a problem of the
  // test labels (a model cannot learn a class it never sees), not of the layers.
  let classes = 0;
  for (const label of trainLabels.values) classes = Math.max(classes, label + 1);
  const unseen = testLabels.values.findIndex((label) => label >= classes);
  if (unseen >= 0) {
    shapeProblem(
      'test_labels',
      `test_labels has label ${testLabels.values[unseen]} at index ${unseen}, but the training labels only go up to ${classes - 1}`,
      'the test labels must use the classes of the training labels: check that the four files belong together',
    );
    return { info: null, findings };
  }
  return {
    info: {
      source: 'idx',
      name: path.basename(paths.train_images),
      identity: idxIdentity(sha256),
      features,
      classes,
      trainImages: trainImages[0]!,
      testImages: testImages[0]!,
      idx: { paths, sha256 },
    },
    findings,
  };
}
