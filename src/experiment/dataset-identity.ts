import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { BUNDLED_MNIST_PACKAGE } from '../data/mnist.ts';
import type { CsvDataset, NpyDataset, RunDataset } from './run-config.ts';
import { canonicalJson } from './settings.ts';

/** The four IDX files' sha256, by key. */
export type IdxSha256 = Record<'train_images' | 'train_labels' | 'test_images' | 'test_labels', string>;
const IDX_ORDER = ['train_images', 'train_labels', 'test_images', 'test_labels'] as const;

/** The identity of four IDX files (part of run ids): a sha256 over their own sha256s. */
export function idxIdentity(sha256: IdxSha256): string {
  return `idx-sha256:${createHash('sha256')
    .update(IDX_ORDER.map((k) => sha256[k]).join(' '))
    .digest('hex')}`;
}

/**
 * The identity of a CSV dataset (part of run ids): a sha256 over its files' sha256s and every
 * option that changes what the network sees, so that a different label, feature list, encoding,
 * missing-value policy or split is another dataset.
 */
export function csvIdentity(d: Pick<CsvDataset, 'sha256' | 'label' | 'features' | 'categorical' | 'standardize' | 'missing' | 'delimiter' | 'split'>): string {
  const options = {
    files: [d.sha256.train, d.sha256.test],
    label: d.label,
    features: d.features,
    categorical: d.categorical,
    standardize: d.standardize,
    missing: d.missing,
    delimiter: d.delimiter,
    split: d.split,
  };
  return `csv-sha256:${createHash('sha256').update(canonicalJson(options)).digest('hex')}`;
}

/** The identity of four .npy files (part of run ids): a sha256 over their own sha256s. */
export function npyIdentity(sha256: NpyDataset['sha256']): string {
  return `npy-sha256:${createHash('sha256').update([sha256.train_x, sha256.train_y, sha256.test_x, sha256.test_y].join(' ')).digest('hex')}`;
}

/** A run's dataset identity, from its config: what runId hashes instead of paths. */
export function datasetIdentity(d: RunDataset): string {
  switch (d.source) {
    case 'mnist':
      return BUNDLED_MNIST_PACKAGE;
    case 'idx':
      return idxIdentity(d.sha256);
    case 'csv':
      return csvIdentity(d);
    case 'npy':
      return npyIdentity(d.sha256);
  }
}

/** A file's sha256, read a megabyte at a time (a 1 GB table is never held whole). Throws the file system's error. */
export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let read = readSync(fd, chunk, 0, chunk.length, null); read > 0; read = readSync(fd, chunk, 0, chunk.length, null))
      hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
