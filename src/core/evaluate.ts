import type { LabelledImages } from './dataset.ts';
import type { InputRows } from './input-rows.ts';
import type { Network } from './network.ts';

/** Rows per forward pass when evaluating whole sets: small enough to stay in cache. */
export const EVAL_CHUNK_ROWS = 256;

/** Mean cost and accuracy (%) over a set. */
export interface Evaluated {
  cost: number;
  accuracy: number;
}

/**
 * Mean cost and accuracy (%) of a whole set, in chunks of the network's maxRows copied into the
 * input buffer (byte pixels stay bytes for kernels with gemmBytes). An empty set gives NaN. Kernels
 * with evaluateRows compute byte images in one call, the same numbers bit for bit, with the chunks
 * spread over `threads` threads (a free core).
 */
export function evaluateSet(network: Network, set: LabelledImages, input: InputRows, threads = 1): Evaluated {
  const { kernels } = network;
  if (kernels.evaluateRows && set.images instanceof Uint8Array) {
    const layers = network.layers.map(({ W, b, nIn, nOut, activation }) => ({ W, b, nIn, nOut, activation }));
    const { lossSum, correct } = kernels.evaluateRows(layers, set.images, set.labels, set.count, network.maxRows, threads);
    return { cost: lossSum / set.count, accuracy: (100 * correct) / set.count };
  }
  // Byte pixels go to the first layer as bytes where the kernels multiply them so (gemmBytes: the
  // same floats as unpacking them first, without the float copy).
  const bytes = set.images instanceof Uint8Array && kernels.gemmBytes !== undefined;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += network.maxRows) {
    const rows = Math.min(network.maxRows, set.count - start);
    let X: Float32Array | Uint8Array = input.X;
    if (bytes) X = input.copyRangeBytes(set, start, rows);
    else input.copyRange(set, start, rows);
    const result = network.evaluate(X, input.labels, rows);
    lossSum += result.lossSum;
    correct += result.correct;
  }
  return { cost: lossSum / set.count, accuracy: (100 * correct) / set.count };
}
