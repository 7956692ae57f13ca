import type { HiddenActivation, Kernels } from './kernels.ts';
import { referenceKernels } from './reference.ts';

/**
 * The functions of the native addon (native/src/addon.cc): one table of kernels for one
 * instruction set. Products and element-wise kernels take the same arguments as their `Kernels`
 * twins, activations as codes (ACTIVATION_CODES). Each call checks its sizes and buffer lengths and
 * throws a RangeError or TypeError rather than read or write out of bounds.
 */
export interface NativeKernelTable {
  /** The instruction set of this table: `avx512f` (AVX-512 products, AVX2 rest), `avx2+fma` or `generic`. */
  readonly isa: string;
  gemm(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array): void;
  gemmBytes(m: number, n: number, k: number, A: Uint8Array, B: Float32Array, C: Float32Array): void;
  gemmNT(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array): void;
  gemmTN(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array): void;
  biasActivation(rows: number, cols: number, Z: Float32Array, b: Float32Array, activation: number): void;
  activationBackward(length: number, dA: Float32Array, A: Float32Array, activation: number): void;
  addBias(rows: number, cols: number, Z: Float32Array, b: Float32Array): void;
  columnSums(rows: number, cols: number, X: Float32Array, out: Float32Array): void;
  axpy(length: number, alpha: number, x: Float32Array, y: Float32Array): void;
  multiply(length: number, x: Float32Array, y: Float32Array, out: Float32Array): void;
  bernoulliMask(length: number, state: Int32Array, threshold: number, value: number, out: Float32Array): void;
  unpackBytes(length: number, src: Uint8Array, dst: Float32Array): void;
  unpackRows(rows: number, features: number, src: Uint8Array, order: Uint32Array, start: number, dst: Float32Array): void;
  /** Kernels.evaluateRows with layers as sizes, activation codes (−1: the softmax layer), weights and biases. */
  evaluateRows(
    sizes: number[],
    activations: number[],
    weights: Float32Array[],
    biases: Float32Array[],
    images: Uint8Array,
    labels: Uint8Array,
    count: number,
    chunkRows: number,
    threads: number,
  ): [number, number];
  /** Softmax + cross-entropy in float64 as the reference; labels: class indices below `cols`. */
  softmaxCrossEntropy(rows: number, cols: number, Z: Float32Array, labels: Uint8Array, dZ: Float32Array | null): number;
  /** Elements to skip from the array's start so its data begins on a 64-byte boundary. */
  alignmentSkip(array: Float32Array): number;
}

/** The loaded addon: the best table for this CPU, plus every table it can run (for tests). */
export interface NativeAddon extends NativeKernelTable {
  /**
   * The whole file mapped copy-on-write (its pages are the page cache's, shared by every process
   * that maps it); null for an empty or irregular file; throws an Error (code ENOENT when missing).
   * Absent where the addon was built without mmap.
   */
  mapFile?(path: string): ArrayBuffer | null;
  readonly variants: {
    readonly generic: NativeKernelTable;
    readonly avx2?: NativeKernelTable;
    readonly avx512?: NativeKernelTable;
  };
}

/** The addon's activation codes (mlp::Activation in native/src/kernels.h). */
export const ACTIVATION_CODES: Record<HiddenActivation, number> = { relu: 0, sigmoid: 1, tanh: 2 };

/**
 * The `native` backend over an already loaded addon table (loading is src/backends/load.ts's job,
 * since the core touches no files). Buffers are ordinary Float32Arrays whose data starts on a
 * 64-byte boundary, so the AVX2 loads of a row never straddle more cache lines than needed.
 * softmaxCrossEntropy runs natively too (in JS it was ~6% of a native epoch); momentumStep and
 * adamStep come from the reference.
 */
export function createNativeKernels(table: NativeKernelTable): Kernels {
  return {
    ...referenceKernels,
    name: 'native',
    alloc(length) {
      const raw = new Float32Array(length + 16);
      const skip = table.alignmentSkip(raw);
      return raw.subarray(skip, skip + length);
    },
    gemm: table.gemm,
    gemmBytes: table.gemmBytes,
    gemmNT: table.gemmNT,
    gemmTN: table.gemmTN,
    biasActivation(rows, cols, Z, b, activation) {
      table.biasActivation(rows, cols, Z, b, ACTIVATION_CODES[activation]);
    },
    activationBackward(length, dA, A, activation) {
      table.activationBackward(length, dA, A, ACTIVATION_CODES[activation]);
    },
    addBias: table.addBias,
    softmaxCrossEntropy: table.softmaxCrossEntropy,
    columnSums: table.columnSums,
    axpy: table.axpy,
    multiply: table.multiply,
    bernoulliMask: table.bernoulliMask,
    unpackBytes: table.unpackBytes,
    unpackRows: table.unpackRows,
    evaluateRows(layers, images, labels, count, chunkRows, threads) {
      const [lossSum, correct] = table.evaluateRows(
        [layers[0]!.nIn, ...layers.map((l) => l.nOut)],
        layers.map((l) => (l.activation === 'softmax' ? -1 : ACTIVATION_CODES[l.activation])),
        layers.map((l) => l.W),
        layers.map((l) => l.b),
        images,
        labels,
        count,
        chunkRows,
        threads,
      );
      return { lossSum, correct };
    },
  };
}
