import { describe, expect, it } from 'vitest';
import { loadWasmKernels } from '../../../src/backends/load.ts';
import { referenceKernels as ref } from '../../../src/core/kernels/reference.ts';

describe('wasm linear memory', () => {
  it('keeps buffers allocated before a large alloc (memory.grow) valid and correct', async () => {
    const kernels = await loadWasmKernels();
    const A = kernels.alloc(6 * 5);
    const B = kernels.alloc(5 * 7);
    const C = kernels.alloc(6 * 7);
    A.forEach((_, i) => (A[i] = i % 3));
    B.forEach((_, i) => (B[i] = (i % 5) - 2));
    const before = A.buffer.byteLength;
    const big = kernels.alloc(16 * 1024 * 1024); // 64 MiB: grows the memory many times over
    expect(big.length).toBe(16 * 1024 * 1024);
    expect(A.length).toBe(30); // a detached view would have length 0
    expect(A[4]).toBe(1);
    kernels.gemm(6, 7, 5, A, B, C);
    const want = new Float32Array(42);
    ref.gemm(6, 7, 5, Float32Array.from(A), Float32Array.from(B), want);
    expect(Array.from(C)).toEqual(Array.from(want));
    // Old and new buffers together in one call.
    big.set(A);
    kernels.gemm(6, 7, 5, big, B, C);
    expect(Array.from(C)).toEqual(Array.from(want));
    expect(big.buffer.byteLength).toBeGreaterThan(before);
  });

  it('hands out zero-filled, 64-byte aligned, non-overlapping buffers', async () => {
    const kernels = await loadWasmKernels();
    const a = kernels.alloc(3);
    const b = kernels.alloc(17);
    expect(a.byteOffset % 64).toBe(0);
    expect(b.byteOffset % 64).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 12);
    expect(Array.from(b)).toEqual(new Array(17).fill(0));
  });

  it('rejects a buffer it did not allocate, and one too short for the shape', async () => {
    const kernels = await loadWasmKernels();
    const other = await loadWasmKernels();
    const A = kernels.alloc(4);
    expect(() => kernels.gemm(2, 2, 2, new Float32Array(4), A, A)).toThrow(TypeError);
    expect(() => kernels.gemm(2, 2, 2, other.alloc(4), A, A)).toThrow(/not a buffer of this wasm backend/);
    expect(() => kernels.gemm(2, 3, 2, A, A, A)).toThrow(RangeError);
  });
});
