import type { Kernels } from './kernels.ts';
import { referenceKernels } from './reference.ts';

/**
 * The exports of wasm/assembly/kernels.ts. Pointers are byte offsets into the module's (imported)
 * linear memory; sizes are element counts.
 */
export interface WasmKernelExports {
  heapBase(): number;
  gemm(m: number, n: number, k: number, A: number, B: number, C: number): void;
  gemmNT(m: number, n: number, k: number, A: number, B: number, C: number): void;
  gemmTN(m: number, n: number, k: number, A: number, B: number, C: number): void;
  biasRelu(rows: number, cols: number, Z: number, b: number): void;
  addBias(rows: number, cols: number, Z: number, b: number): void;
  reluBackward(length: number, dA: number, A: number): void;
  columnSums(rows: number, cols: number, X: number, out: number): void;
  axpy(length: number, alpha: number, x: number, y: number): void;
}

/** The part of a WebAssembly.Memory the backend uses (the project's TS lib has no DOM/wasm types). */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}

const PAGE = 65536;
/** Every buffer starts on a cache line. */
const ALIGN = 64;

/**
 * The `wasm` backend over an instance of the kernels module and the memory it imports
 * (instantiation is src/backends/load.ts's job, since the core touches no files).
 *
 * `alloc` hands out Float32Array views on the linear memory from a bump pointer, growing the
 * memory when needed; `releaseAll` rewinds the pointer between runs. The memory must be
 * shared: growing a shared memory keeps every earlier view valid (a grown non-shared memory
 * detaches them). A kernel called with a buffer from elsewhere throws a TypeError, because wasm can
 * only address its own memory; a buffer too short for the shape throws a RangeError.
 *
 * Sigmoid and tanh (forward and backward), softmaxCrossEntropy and the momentum/Adam updates run
 * in JS on the same views (reference kernels); the products and the relu layer's kernels in wasm.
 */
export function createWasmKernels(exports: WasmKernelExports, memory: WasmMemory): Kernels {
  if (!(memory.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('the wasm kernels need a shared WebAssembly.Memory (views on it must survive grow)');
  }
  // Every SharedArrayBuffer object that alloc has made views on. V8 may hand out a new object for
  // the same shared memory (after a grow, and sometimes without one), so identity is recorded per
  // alloc rather than assumed stable.
  const buffers = new Set<ArrayBufferLike>();
  let top = roundUp(exports.heapBase(), ALIGN);

  const at = (array: Float32Array, need: number, name: string): number => {
    if (!buffers.has(array.buffer)) throw new TypeError(`${name} is not a buffer of this wasm backend (use its alloc)`);
    if (array.length < need) throw new RangeError(`${name} has ${array.length} elements, the shape needs ${need}`);
    return array.byteOffset;
  };

  return {
    ...referenceKernels,
    name: 'wasm',

    alloc(length) {
      if (!Number.isInteger(length) || length < 0) throw new RangeError(`length must be a non-negative integer, got ${length}`);
      const start = top;
      const end = start + roundUp(length * 4, ALIGN);
      if (end > 2 ** 32) throw new RangeError(`the wasm backend cannot allocate ${length} more floats (4 GiB limit)`);
      const have = memory.buffer.byteLength;
      if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
      top = end;
      const buffer = memory.buffer;
      buffers.add(buffer);
      // Memory handed out again after releaseAll holds the previous run's values.
      return new Float32Array(buffer, start, length).fill(0);
    },

    releaseAll() {
      top = roundUp(exports.heapBase(), ALIGN);
    },

    gemm(m, n, k, A, B, C) {
      exports.gemm(m, n, k, at(A, m * k, 'A'), at(B, k * n, 'B'), at(C, m * n, 'C'));
    },
    gemmNT(m, n, k, A, B, C) {
      exports.gemmNT(m, n, k, at(A, m * k, 'A'), at(B, n * k, 'B'), at(C, m * n, 'C'));
    },
    gemmTN(m, n, k, A, B, C) {
      exports.gemmTN(m, n, k, at(A, k * m, 'A'), at(B, k * n, 'B'), at(C, m * n, 'C'));
    },
    biasActivation(rows, cols, Z, b, activation) {
      if (activation !== 'relu') return referenceKernels.biasActivation(rows, cols, Z, b, activation);
      exports.biasRelu(rows, cols, at(Z, rows * cols, 'Z'), at(b, cols, 'b'));
    },
    activationBackward(length, dA, A, activation) {
      if (activation !== 'relu') return referenceKernels.activationBackward(length, dA, A, activation);
      exports.reluBackward(length, at(dA, length, 'dA'), at(A, length, 'A'));
    },
    addBias(rows, cols, Z, b) {
      exports.addBias(rows, cols, at(Z, rows * cols, 'Z'), at(b, cols, 'b'));
    },
    columnSums(rows, cols, X, out) {
      exports.columnSums(rows, cols, at(X, rows * cols, 'X'), at(out, cols, 'out'));
    },
    axpy(length, alpha, x, y) {
      exports.axpy(length, alpha, at(x, length, 'x'), at(y, length, 'y'));
    },
  };
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
