import { EVAL_CHUNK_ROWS } from '../core/train.ts';
import type { DatasetInfo } from './dataset-info.ts';
import { formatBytes } from './format-bytes.ts';
import type { RunConfig } from './run-config.ts';

/**
 * How much memory a run needs of its own, beyond the dataset (which every worker shares), so that
 * `plan` can show it and `validate` can refuse what cannot fit before a worker starts allocating.
 * Counted in float32 values as src/core allocates them: per dense layer W, dW, b, db and the
 * outputs A, dA of a batch; the optimizer's state (a velocity, or Adam's two moments); the batch
 * X; with dropout, each dropped layer's mask and masked output; and one more copy of the weights,
 * sent back to be recorded.
 */
export function estimateMemory(config: RunConfig, dataset: DatasetInfo): { bytes: number; largestTensor: number } {
  const trainImages = Math.min(config.dataset.train_limit ?? Infinity, dataset.trainImages) - config.dataset.validation;
  // The training loop sizes its buffers by the batch, capped by the training set, and by the evaluation chunk.
  const rows = Math.max(Math.min(config.batch_size, Math.max(trainImages, 1)), EVAL_CHUNK_ROWS);
  let parameters = 0;
  let outputs = 0;
  let largestTensor = 0;
  for (let l = 1; l < config.layers.length; l++) {
    const weights = config.layers[l - 1]! * config.layers[l]!;
    parameters += weights + config.layers[l]!;
    outputs += config.layers[l]!;
    largestTensor = Math.max(largestTensor, weights, rows * config.layers[l]!);
  }
  const state = config.optimizer.type === 'adam' ? 2 : config.optimizer.type === 'momentum' ? 1 : 0;
  // Dropout: each dropped layer's mask and its output after the mask, a batch of each.
  const dropped = (config.dropout ?? []).reduce((sum, p, l) => sum + (p > 0 ? 2 * rows * config.layers[l + 1]! : 0), 0);
  const values = parameters * (3 + state) + 2 * rows * outputs + rows * config.layers[0]! + dropped;
  return { bytes: 4 * values, largestTensor };
}

/** The most float32 values one typed array can hold in Node (2^32: 16 GiB). */
export const MAX_TENSOR_VALUES = 2 ** 32;

/** What the wasm backend can address: its memory is a 32-bit one. */
export const WASM_MEMORY_BYTES = 2 ** 32;

/** Why a run cannot be trained on this machine, or null: a tensor past the typed-array limit, more than the wasm backend addresses, or more memory than the machine has. */
export function memoryProblem(memory: { bytes: number; largestTensor: number }, limit: number, backend = 'auto'): { message: string; hint: string } | null {
  if (memory.largestTensor > MAX_TENSOR_VALUES) {
    return {
      message: `a layer of this run needs ${countOf(memory.largestTensor)} values in one array; the most is ${MAX_TENSOR_VALUES.toLocaleString('en-US')}`,
      hint: 'use smaller layers (a weight matrix holds n_in × n_out values)',
    };
  }
  if (backend === 'wasm' && memory.bytes > WASM_MEMORY_BYTES) {
    return {
      message: `a run of this model needs about ${formatBytes(memory.bytes)} of memory; the wasm backend addresses at most ${formatBytes(WASM_MEMORY_BYTES)}`,
      hint: 'use smaller layers, or another backend (native or js)',
    };
  }
  if (memory.bytes > limit) {
    return {
      message: `a run of this model needs about ${formatBytes(memory.bytes)} of memory; this machine has ${formatBytes(limit)}`,
      hint: 'use smaller layers or a smaller batch_size',
    };
  }
  return null;
}

/** 4,294,967,296; past a quadrillion as 1.3e+200, so that an absurd layer size reads as one. */
function countOf(n: number): string {
  return n < 1e15 ? n.toLocaleString('en-US') : n.toExponential(1);
}
