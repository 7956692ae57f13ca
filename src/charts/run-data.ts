import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { RunDataset } from '../experiment/run-config.ts';
import { decodeSafetensors } from '../store/safetensors.ts';

/**
 * What the charts read of a run folder in the store: its history.csv, the first layer of its
 * weights.safetensors, and the image shape of its dataset. Every reader returns null for a file
 * that is absent (a run not finished, or a store committed without weights) instead of throwing.
 */

/** One row of history.csv; validation values are null when the run has no validation set. */
export interface HistoryPoint {
  iteration: number;
  epoch: number;
  trainCost: number;
  testCost: number;
  trainAccuracy: number;
  testAccuracy: number;
  validationCost: number | null;
  validationAccuracy: number | null;
  /** The learning rate of the record's latest update: only runs with a schedule record it. */
  learningRate: number | null;
}

/** The run's history.csv, or null when it has none. */
export function readHistory(runDir: string): HistoryPoint[] | null {
  const file = path.join(runDir, 'history.csv');
  if (!existsSync(file)) return null;
  const records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const num = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));
  return records.map((r) => ({
    iteration: num(r.iteration)!,
    epoch: num(r.epoch)!,
    trainCost: num(r.train_cost) ?? NaN,
    testCost: num(r.test_cost) ?? NaN,
    trainAccuracy: num(r.train_accuracy) ?? NaN,
    testAccuracy: num(r.test_accuracy) ?? NaN,
    validationCost: num(r.validation_cost),
    validationAccuracy: num(r.validation_accuracy),
    learningRate: num(r.learning_rate),
  }));
}

/** The first weight layer, W1: nIn × nOut, row-major (unit j's weights are W[i·nOut + j]). */
export interface FirstLayer {
  nIn: number;
  nOut: number;
  W: Float32Array;
}

/** W1 from the run's weights.safetensors, or null when the file is absent. */
export function readFirstLayer(runDir: string): FirstLayer | null {
  const file = path.join(runDir, 'weights.safetensors');
  if (!existsSync(file)) return null;
  const { tensors } = decodeSafetensors(readFileSync(file));
  const w = tensors.find((t) => t.name === 'W1');
  if (w?.shape.length !== 2) throw new Error(`${file}: no 2-dimensional tensor W1`);
  return { nIn: w.shape[0]!, nOut: w.shape[1]!, W: w.data };
}

/** The pixel grid of a dataset's images and the number of training images a run used. */
export interface ImageShape {
  rows: number;
  cols: number;
}

/** MNIST's images: 28 × 28. */
const MNIST_SHAPE: ImageShape = { rows: 28, cols: 28 };
const MNIST_TRAIN_IMAGES = 60_000;

/**
 * The rows and columns of the run's images, from the IDX header of its training images (only the
 * header is read); null when the images are not 2-dimensional (weights cannot be drawn as images)
 * or the file is gone.
 */
export function imageShape(dataset: RunDataset): ImageShape | null {
  if (dataset.source === 'mnist') return MNIST_SHAPE;
  if (dataset.source === 'csv') return null;
  if (dataset.source === 'npy') {
    const shape = dataset.example_shape;
    return shape.length === 2 ? { rows: shape[0]!, cols: shape[1]! } : null;
  }
  const dims = idxDims(dataset.train_images);
  return dims && dims.length === 3 ? { rows: dims[1]!, cols: dims[2]! } : null;
}

/** The names of a table's inputs (a CSV's encoded columns), or null for images. */
export function inputNames(dataset: RunDataset): string[] | null {
  if (dataset.source === 'csv') return dataset.inputs;
  if (dataset.source === 'npy' && dataset.example_shape.length === 1) return Array.from({ length: dataset.example_shape[0]! }, (_, i) => `x${i}`);
  return null;
}

/** Training images per epoch (after the limit and the validation split), or null when unknown. */
export function trainImages(dataset: RunDataset): number | null {
  const available =
    dataset.source === 'mnist'
      ? MNIST_TRAIN_IMAGES
      : dataset.source === 'csv' || dataset.source === 'npy'
        ? dataset.train_rows
        : idxDims(dataset.train_images)?.[0];
  if (available === undefined) return null;
  return Math.min(dataset.train_limit ?? Infinity, available) - dataset.validation;
}

function idxDims(file: string): number[] | null {
  if (!existsSync(file)) return null;
  const header = new Uint8Array(4 + 4 * 4);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  const rank = header[3]!;
  if (rank < 1 || rank > 4) return null;
  const view = new DataView(header.buffer);
  return Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
}
