import type { Kernels } from './kernels.ts';
import { referenceKernels } from './reference.ts';

/**
 * The exports of wasm/assembly/kernels.ts. Pointers are byte offsets into the module's (imported)
 * linear memory; sizes are element counts.
 */
export interface WasmKernelExports {
  heapBase(): number;
  gemm(m: number, n: number, k: number, A: number, B: number, C: number): void;
  gemmBytes(m: number, n: number, k: number, A: number, B: number, C: number, scratch: number): void;
  /** Floats of scratch memory gemmBytes needs for rows of k bytes. */
  gemmBytesScratch(k: number): number;
  gemmNT(m: number, n: number, k: number, A: number, B: number, C: number): void;
  gemmTN(m: number, n: number, k: number, A: number, B: number, C: number): void;
  biasRelu(rows: number, cols: number, Z: number, b: number): void;
  biasSigmoid(rows: number, cols: number, Z: number, b: number): void;
  biasTanh(rows: number, cols: number, Z: number, b: number): void;
  /** activation: 1 sigmoid, 2 tanh. */
  smoothBackward(length: number, dA: number, A: number, activation: number): void;
  unpackBytes(length: number, src: number, dst: number): void;
  addBias(rows: number, cols: number, Z: number, b: number): void;
  reluBackward(length: number, dA: number, A: number): void;
  columnSums(rows: number, cols: number, X: number, out: number): void;
  axpy(length: number, alpha: number, x: number, y: number): void;
  multiply(length: number, x: number, y: number, out: number): void;
  bernoulliMask(length: number, state: number, threshold: number, value: number, out: number): void;
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
 * softmaxCrossEntropy and the momentum/Adam updates run in JS on the same views (reference
 * kernels); the products (gemmBytes too, whose panel of unpacked rows lives in memory of its own
 * from alloc), the activations and unpacking bytes in wasm.
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
  // gemmBytes' panel, allocated on first use and again after releaseAll (which hands its memory out again).
  let scratch: Float32Array | null = null;

  const at = (array: Float32Array | Uint8Array | Int32Array, need: number, name: string): number => {
    if (!buffers.has(array.buffer)) throw new TypeError(`${name} is not a buffer of this wasm backend (use its alloc)`);
    if (array.length < need) throw new RangeError(`${name} has ${array.length} elements, the shape needs ${need}`);
    return array.byteOffset;
  };

  /** Bump-allocates `length` elements of `size` bytes on a cache line: the memory and byte offset. */
  const reserve = (length: number, size: number, what: string): [ArrayBufferLike, number] => {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`length must be a non-negative integer, got ${length}`);
    const start = top;
    const end = start + roundUp(length * size, ALIGN);
    if (end > 2 ** 32) throw new RangeError(`the wasm backend cannot allocate ${length} more ${what} (4 GiB limit)`);
    const have = memory.buffer.byteLength;
    if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
    top = end;
    // Memory handed out again after releaseAll holds the previous run's values: callers zero it.
    const buffer = memory.buffer;
    buffers.add(buffer);
    return [buffer, start];
  };

  const allocFloats = (length: number): Float32Array => {
    const [buffer, start] = reserve(length, 4, 'floats');
    return new Float32Array(buffer, start, length).fill(0);
  };

  return {
    ...referenceKernels,
    name: 'wasm',
    // The kernels read only this module's memory: batches are gathered into allocBytes first.
    unpackRows: undefined,
    evaluateRows: undefined,

    alloc: allocFloats,

    allocBytes(length) {
      const [buffer, start] = reserve(length, 1, 'bytes');
      return new Uint8Array(buffer, start, length).fill(0);
    },

    releaseAll() {
      top = roundUp(exports.heapBase(), ALIGN);
      scratch = null;
    },

    gemm(m, n, k, A, B, C) {
      exports.gemm(m, n, k, at(A, m * k, 'A'), at(B, k * n, 'B'), at(C, m * n, 'C'));
    },
    gemmBytes(m, n, k, A, B, C) {
      const need = exports.gemmBytesScratch(k);
      if (scratch === null || scratch.length < need) scratch = allocFloats(need);
      exports.gemmBytes(m, n, k, at(A, m * k, 'A'), at(B, k * n, 'B'), at(C, m * n, 'C'), scratch.byteOffset);
    },
    gemmNT(m, n, k, A, B, C) {
      exports.gemmNT(m, n, k, at(A, m * k, 'A'), at(B, n * k, 'B'), at(C, m * n, 'C'));
    },
    gemmTN(m, n, k, A, B, C) {
      exports.gemmTN(m, n, k, at(A, k * m, 'A'), at(B, k * n, 'B'), at(C, m * n, 'C'));
    },
    biasActivation(rows, cols, Z, b, activation) {
      const bias = activation === 'relu' ? exports.biasRelu : activation === 'sigmoid' ? exports.biasSigmoid : exports.biasTanh;
      bias(rows, cols, at(Z, rows * cols, 'Z'), at(b, cols, 'b'));
    },
    activationBackward(length, dA, A, activation) {
      if (activation === 'relu') return exports.reluBackward(length, at(dA, length, 'dA'), at(A, length, 'A'));
      exports.smoothBackward(length, at(dA, length, 'dA'), at(A, length, 'A'), activation === 'sigmoid' ? 1 : 2);
    },
    unpackBytes(length, src, dst) {
      exports.unpackBytes(length, at(src, length, 'src'), at(dst, length, 'dst'));
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
    multiply(length, x, y, out) {
      exports.multiply(length, at(x, length, 'x'), at(y, length, 'y'), at(out, length, 'out'));
    },
    bernoulliMask(length, state, threshold, value, out) {
      if (!Number.isInteger(threshold) || threshold < 0 || threshold > 2 ** 31)
        throw new RangeError(`threshold must be an integer from 0 to 2^31, got ${threshold}`);
      exports.bernoulliMask(length, at(state, 4, 'state'), threshold, value, at(out, length, 'out'));
    },
  };
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
