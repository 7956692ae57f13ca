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
 * input buffer. An empty set gives NaN.
 */
export function evaluateSet(network: Network, set: LabelledImages, input: InputRows): Evaluated {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += network.maxRows) {
    const rows = Math.min(network.maxRows, set.count - start);
    input.copyRange(set, start, rows);
    const result = network.evaluate(input.X, input.labels, rows);
    lossSum += result.lossSum;
    correct += result.correct;
  }
  return { cost: lossSum / set.count, accuracy: (100 * correct) / set.count };
}
