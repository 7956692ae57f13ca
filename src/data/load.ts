import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LabelledImages, TrainingData } from '../core/dataset.ts';
import { firstRows, rowRange } from '../core/dataset.ts';
import { loadCsvDataset, type CsvSource } from './csv-dataset.ts';
import { DataFileError, parseIdx } from './idx.ts';
import { bundledMnistFiles, type IdxFiles } from './mnist.ts';
import { loadNpyDataset, type NpySource } from './npy-dataset.ts';

/** Which data to load: the bundled MNIST, four IDX files, a CSV table or four .npy files, with optional caps and a validation split. */
export interface DatasetSpec {
  files: IdxFiles | 'mnist' | CsvSource | NpySource;
  /** Use only the first N training images (before the validation split); null for all. */
  trainLimit: number | null;
  /** Use only the first N test images; null for all. */
  testLimit: number | null;
  /** Hold out the last N of the (capped) training images as a validation set; 0 for none. */
  validation: number;
}

/** How loadDataset gets a file's bytes. */
export interface ReadOptions {
  /**
   * Maps a whole file into memory (the native addon's mmap; null for a file it cannot map): no copy,
   * no fresh memory, and the pages shared by every worker process that maps the same file.
   * Without it, or when it gives null, files are read into SharedArrayBuffers.
   */
  mapFile?: ((file: string) => ArrayBuffer | null) | null;
}

/**
 * Reads and checks a dataset: unsigned-byte pixels stay bytes (the core scales them to [0, 1] as it
 * gathers them), other element types become floats used as they are; labels are class indices.
 * A CSV table is encoded as loadCsvDataset says (the same arrays in every process that loads it).
 * Throws DataFileError for a missing, unreadable or malformed file, naming the file.
 */
export function loadDataset(spec: DatasetSpec, options: ReadOptions = {}): TrainingData {
  const { fullTrain, test } = readSets(spec, options);
  const classes = Math.max(fullTrain.classes, test.classes);
  const validation = spec.validation;
  if (validation < 0 || validation >= fullTrain.count) {
    throw new RangeError(`validation must be between 0 and ${fullTrain.count - 1} images, got ${validation}`);
  }
  const withClasses = (set: LabelledImages): LabelledImages => ({ ...set, classes });
  const trainCount = fullTrain.count - validation;
  return {
    train: withClasses(rowRange(fullTrain, 0, trainCount)),
    test: withClasses(test),
    validation: validation > 0 ? withClasses(rowRange(fullTrain, trainCount, fullTrain.count)) : null,
  };
}

/** The training set (capped, before the validation split) and the test set (capped). */
function readSets(spec: DatasetSpec, options: ReadOptions): { fullTrain: LabelledImages; test: LabelledImages } {
  const files = spec.files === 'mnist' ? bundledMnistFiles() : spec.files;
  if ('kind' in files) {
    const sets = files.kind === 'csv' ? loadCsvDataset(files) : loadNpyDataset(files, (file) => readBytes(file, {}));
    return { fullTrain: firstRows(sets.train, spec.trainLimit ?? sets.train.count), test: firstRows(sets.test, spec.testLimit ?? sets.test.count) };
  }
  const fullTrain = readSet(files.trainImages, files.trainLabels, spec.trainLimit, options);
  const test = readSet(files.testImages, files.testLabels, spec.testLimit, options);
  if (test.features !== fullTrain.features) {
    throw new DataFileError(files.testImages, `test images have ${test.features} features but training images have ${fullTrain.features}`);
  }
  return { fullTrain, test };
}

function readSet(imagesFile: string, labelsFile: string, limit: number | null, options: ReadOptions): LabelledImages {
  const images = parseIdx(readBytes(imagesFile, options), imagesFile);
  const labels = parseIdx(readBytes(labelsFile, options), labelsFile);
  if (images.dims.length < 2) {
    throw new DataFileError(imagesFile, `images need at least 2 dimensions (count, pixels…), got [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new DataFileError(labelsFile, `labels need 1 dimension (count), got [${labels.dims.join(', ')}]`);
  }
  const available = images.dims[0]!;
  if (labels.dims[0] !== available) {
    throw new DataFileError(labelsFile, `${labels.dims[0]} labels for ${available} images in ${imagesFile}`);
  }
  const count = limit === null ? available : Math.min(limit, available);
  const features = images.dims.slice(1).reduce((a, b) => a * b, 1);

  const pixels = images.values instanceof Uint8Array ? sharedPrefix(images.values, count * features) : sharedFloats(images.values, count * features);

  // The class count comes from every label in the file, so that a cap cannot change the model's output size.
  let classes = 0;
  for (let i = 0; i < available; i++) {
    const label = labels.values[i]!;
    if (!Number.isInteger(label) || label < 0 || label > 255) {
      throw new DataFileError(labelsFile, `label ${label} at index ${i} is not a class index from 0 to 255`);
    }
    classes = Math.max(classes, label + 1);
  }
  const classIndices = labels.values instanceof Uint8Array ? sharedPrefix(labels.values, count) : new Uint8Array(new SharedArrayBuffer(count));
  if (!(labels.values instanceof Uint8Array)) classIndices.set(labels.values.subarray(0, count));
  return { images: pixels, labels: classIndices, count, features, classes };
}

/**
 * The first `length` values of a view on a file read into shared memory: the view itself when it
 * is most of the file, else a right-sized shared copy, so that a small `train_limit` does not keep
 * the whole file in memory.
 */
function sharedPrefix(values: Uint8Array, length: number): Uint8Array {
  if (length >= values.buffer.byteLength / 2) return values.subarray(0, length);
  const copy = new Uint8Array(new SharedArrayBuffer(length));
  copy.set(values.subarray(0, length));
  return copy;
}

function sharedFloats(values: Float64Array, length: number): Float32Array {
  const floats = new Float32Array(new SharedArrayBuffer(length * 4));
  for (let i = 0; i < length; i++) floats[i] = values[i]!;
  return floats;
}

/** The whole file, mapped (ReadOptions.mapFile) or read straight into a SharedArrayBuffer. */
function readBytes(file: string, options: ReadOptions): Uint8Array {
  if (options.mapFile) {
    let mapped: ArrayBuffer | null;
    try {
      mapped = options.mapFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DataFileError(file, code === 'ENOENT' ? 'no such file' : `cannot read: ${(error as Error).message}`);
    }
    if (mapped) return new Uint8Array(mapped);
  }
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const bytes = new Uint8Array(new SharedArrayBuffer(fstatSync(fd).size));
    for (let at = 0; at < bytes.length; ) {
      const read = readSync(fd, bytes, at, bytes.length - at, at);
      if (read === 0) throw new Error(`the file ended after ${at} of ${bytes.length} bytes while it was read`);
      at += read;
    }
    return bytes;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFileError(file, code === 'ENOENT' ? 'no such file' : `cannot read: ${(error as Error).message}`);
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
