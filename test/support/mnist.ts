import type { TrainingData } from '../../src/core/dataset.ts';
import { loadDataset } from '../../src/data/load.ts';

const cache = new Map<string, TrainingData>();

/** The first `train` / `test` bundled MNIST images, loaded once per test file. */
export function mnistSubset(train: number, test: number, validation = 0): TrainingData {
  const key = `${train}/${test}/${validation}`;
  let data = cache.get(key);
  if (!data) {
    data = loadDataset({ files: 'mnist', trainLimit: train, testLimit: test, validation });
    cache.set(key, data);
  }
  return data;
}
