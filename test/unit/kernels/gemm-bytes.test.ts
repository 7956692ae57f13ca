/**
 * gemmBytes, the first layer's product of an evaluation read straight from byte images, against
 * what it replaces on the same backend: unpackBytes of A, then gemm. Bit for bit, not within a
 * bound: evaluation results must not change when a backend gains the fused kernel. The shapes reach
 * every row tile and panel tail (1 to 61 rows: the AVX-512 tile of 10 rows, the AVX2 tile of 6, the
 * wasm tile of 2 and its 8-row narrow kernel), every column tail (n = 1 to 128 around 4, 16 and 32;
 * wasm's narrow kernel below 16 columns, with 0 to 3 columns past its 4-wide ones), short and long
 * rows (k up to 7,000: panels of one row tile; k mod 4 = 1, 2, 3) and views that do not start on a
 * vector boundary.
 */
import { describe, expect } from 'vitest';
import type { Kernels } from '../../../src/core/kernels/kernels.ts';
import { referenceKernels as ref } from '../../../src/core/kernels/reference.ts';
import { Rng } from '../../../src/core/rng.ts';
import { backendCases, itFor, kernelsOf } from './backends.ts';

const fused = (await backendCases()).filter((c) => c.label !== 'js');

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 10, 3],
  [7, 17, 17],
  [31, 10, 784],
  [61, 128, 784],
  [11, 40, 784],
  [9, 64, 33],
  [6, 5, 128],
  [13, 10, 4100],
  [5, 7, 9],
  [12, 4, 8],
  [5, 20, 7000],
  [2, 3, 0],
];

function bytesOf(kernels: Kernels, length: number, seed: number, offset: number): Uint8Array {
  const rng = Rng.fromSeed(seed);
  const A = kernels.allocBytes(length + offset).subarray(offset);
  // Every byte value appears once in order first, then random ones.
  for (let i = 0; i < length; i++) A[i] = i < 256 ? i : Math.floor(rng.uniform() * 256);
  return A;
}

function floatsOf(kernels: Kernels, length: number, seed: number, offset: number): Float32Array {
  const rng = Rng.fromSeed(seed);
  const B = kernels.alloc(length + offset).subarray(offset);
  for (let i = 0; i < length; i++) B[i] = rng.uniform() * 2 - 1;
  return B;
}

describe.each(fused)('$label gemmBytes', (c) => {
  const test = itFor(c);

  test('is unpackBytes then gemm, bit for bit, on every tile, panel and tail', () => {
    const kernels = kernelsOf(c);
    expect(kernels.gemmBytes).toBeDefined();
    for (const offset of [0, 3])
      for (const [m, n, k] of SHAPES) {
        const A = bytesOf(kernels, m * k, m * 31 + k, offset);
        const B = floatsOf(kernels, k * n, n * 17 + k, offset);
        const X = kernels.alloc(m * k);
        const want = kernels.alloc(m * n);
        kernels.unpackBytes(m * k, A, X);
        kernels.gemm(m, n, k, X, B, want);
        const C = kernels
          .alloc(m * n + offset)
          .subarray(offset)
          .fill(NaN); // overwritten, never accumulated into
        kernels.gemmBytes!(m, n, k, A, B, C);
        expect(new Uint32Array(C.slice().buffer), `m=${m} n=${n} k=${k} offset=${offset}`).toEqual(new Uint32Array(want.slice().buffer));
      }
  });

  test('unpacks every byte to the reference float (a product with the identity)', () => {
    const kernels = kernelsOf(c);
    const k = 256;
    for (const m of [1, 7, 12]) {
      const A = kernels.allocBytes(m * k);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) A[i * k + p] = (p + 37 * i) % 256;
      const identity = kernels.alloc(k * k);
      for (let p = 0; p < k; p++) identity[p * k + p] = 1;
      const C = kernels.alloc(m * k);
      kernels.gemmBytes!(m, k, k, A, identity, C);
      const want = new Float32Array(m * k);
      ref.unpackBytes(m * k, A.slice(), want);
      expect([...C]).toEqual([...want]);
    }
  });

  test('refuses buffers too short for the shape', () => {
    const kernels = kernelsOf(c);
    const A = kernels.allocBytes(5 * 7);
    const B = kernels.alloc(7 * 3);
    const C = kernels.alloc(5 * 3);
    expect(() => kernels.gemmBytes!(6, 3, 7, A, B, C)).toThrow(RangeError);
    expect(() => kernels.gemmBytes!(5, 4, 7, A, B, C)).toThrow(RangeError);
  });
});
