import type { LabelledImages } from '../core/dataset.ts';
import { DataFileError } from './data-file-error.ts';
import { npyFeatures, npyLabels } from './npy.ts';

/** Four .npy files as an experiment names them; paths absolute. */
export interface NpySource {
  kind: 'npy';
  trainX: string;
  trainY: string;
  testX: string;
  testY: string;
}

/** The arrays of a .npy dataset, and the shape of one example (rows × columns for images). */
export interface NpyDataset {
  train: LabelledImages;
  test: LabelledImages;
  /** One example's dimensions: [features] for a table, [rows, cols] for images. */
  exampleShape: number[];
}

/**
 * Reads four .npy files (`read` gives a file's bytes): features of rank ≥ 2 with the same example
 * shape in both sets, one label per row. The class count is the largest training label + 1, as
 * for IDX; a test label beyond it is an error. Throws DataFileError naming the file at fault.
 */
export function loadNpyDataset(source: NpySource, read: (file: string) => Uint8Array): NpyDataset {
  const trainX = npyFeatures(read(source.trainX), source.trainX);
  const trainY = npyLabels(read(source.trainY), source.trainY);
  const testX = npyFeatures(read(source.testX), source.testX);
  const testY = npyLabels(read(source.testY), source.testY);
  const example = trainX.shape.slice(1);
  if (testX.shape.slice(1).join() !== example.join()) {
    throw new DataFileError(source.testX, `test examples have shape (${testX.shape.slice(1).join(', ')}), training examples (${example.join(', ')})`);
  }
  for (const [x, y, file] of [
    [trainX, trainY, source.trainY],
    [testX, testY, source.testY],
  ] as const) {
    if (y.length !== x.shape[0]) throw new DataFileError(file, `${y.length} labels for ${x.shape[0]} rows of features`);
  }
  if (trainY.length === 0) throw new DataFileError(source.trainY, 'no training rows');
  let classes = 0;
  for (const label of trainY) classes = Math.max(classes, label + 1);
  const distinct = new Set(trainY).size;
  if (distinct < 2) throw new DataFileError(source.trainY, `every training label is ${trainY[0]}: a single class, nothing to learn`);
  const unseen = testY.findIndex((label) => label >= classes);
  if (unseen >= 0) throw new DataFileError(source.testY, `label ${testY[unseen]} at index ${unseen}, but the training labels only go up to ${classes - 1}`);
  const features = example.reduce((a, b) => a * b, 1);
  const set = (x: typeof trainX, y: Uint8Array): LabelledImages => ({ images: x.values, labels: y, count: y.length, features, classes });
  return { train: set(trainX, trainY), test: set(testX, testY), exampleShape: example };
}
