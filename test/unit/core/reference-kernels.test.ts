import { describe, expect, it } from 'vitest';
import { referenceKernels as K } from '../../../src/core/kernels/reference.ts';
import { randomArray, relativeError, transpose } from '../../support/random.ts';

/** Float64 product, written independently of the kernels under test. */
function product64(A: Float32Array, B: Float32Array, m: number, n: number, k: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C[i * n + j]! += A[i * k + p]! * B[p * n + j]!;
  return C;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 10, 784],
  [30, 1, 3],
  [5, 17, 31],
  [31, 64, 128],
  [30, 10, 64],
  [7, 3, 1],
];

describe('reference kernels', () => {
  it('computes a known 2×2 product in all three forms', () => {
    const A = Float32Array.of(1, 2, 3, 4);
    const B = Float32Array.of(5, 6, 7, 8);
    const C = new Float32Array(4);
    K.gemm(2, 2, 2, A, B, C);
    expect([...C]).toEqual([19, 22, 43, 50]);
    K.gemmNT(2, 2, 2, A, transpose(B, 2, 2), C);
    expect([...C]).toEqual([19, 22, 43, 50]);
    K.gemmTN(2, 2, 2, transpose(A, 2, 2), B, C);
    expect([...C]).toEqual([19, 22, 43, 50]);
  });

  it.each(SHAPES)('gemm, gemmNT and gemmTN agree with a float64 product for m=%i n=%i k=%i', (m, n, k) => {
    const A = randomArray(m * k, 1);
    const B = randomArray(k * n, 2);
    const expected = product64(A, B, m, n, k);
    const C = new Float32Array(m * n).fill(NaN); // outputs are overwritten, never accumulated into
    K.gemm(m, n, k, A, B, C);
    expect(relativeError(C, expected)).toBeLessThan(1e-7);
    K.gemmNT(m, n, k, A, transpose(B, k, n), C.fill(NaN));
    expect(relativeError(C, expected)).toBeLessThan(1e-7);
    K.gemmTN(m, n, k, transpose(A, m, k), B, C.fill(NaN));
    expect(relativeError(C, expected)).toBeLessThan(1e-7);
  });

  it('columnSums sums each column; addBias broadcasts over rows', () => {
    const X = Float32Array.of(1, 2, 3, 4, 5, 6); // 2 × 3
    const out = new Float32Array(3);
    K.columnSums(2, 3, X, out);
    expect([...out]).toEqual([5, 7, 9]);
    K.addBias(2, 3, X, Float32Array.of(10, 20, 30));
    expect([...X]).toEqual([11, 22, 33, 14, 25, 36]);
  });

  it('biasActivation applies relu, sigmoid and tanh after the bias', () => {
    const Z = Float32Array.of(-1, 0.5);
    K.biasActivation(1, 2, Z, Float32Array.of(0.5, 0.5), 'relu');
    expect([...Z]).toEqual([0, 1]);
    const S = Float32Array.of(0, 0);
    K.biasActivation(1, 2, S, Float32Array.of(0, 1000), 'sigmoid');
    expect([...S]).toEqual([0.5, 1]);
    const T = Float32Array.of(0);
    K.biasActivation(1, 1, T, Float32Array.of(-1000), 'tanh');
    expect(T[0]).toBe(-1);
  });

  it('axpy is the SGD update', () => {
    const W = Float32Array.of(1, 2);
    K.axpy(2, -0.5, Float32Array.of(2, -4), W);
    expect([...W]).toEqual([0, 4]);
  });
});
