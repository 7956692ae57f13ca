/**
 * Products of inputs that are mostly zero (pixels, a ReLU layer's outputs), which the native tiles
 * compute by skipping the positions where all of a tile's rows of A are zero (native/src/zero_skip.h):
 * bit for bit what the same kernel computes without skipping.
 *
 * The oracle is the kernel itself, made to run dense: a non-finite B turns skipping off for the
 * whole call. A NaN at B(p*, j*) makes column j* of C NaN (0 · NaN is NaN) and leaves every other
 * column to the dense loop, which must give the same bits as the skipping run with a finite B. Every backend must pass (those that never skip trivially do). A's zeros come
 * as blank borders, whole blank rows and tiles, scattered ±0, and NaN, which is not a zero.
 */
import { describe, expect } from 'vitest';
import type { Kernels } from '../../../src/core/kernels/kernels.ts';
import { Rng } from '../../../src/core/rng.ts';
import { backendCases, itFor, kernelsOf } from './backends.ts';

const cases = await backendCases();

// (m, n, k): every row tile (AVX2 6, AVX-512 10) and its tails, one- and two-vector column panels
// and their tails, the training and evaluation shapes of the report's models, k below and above
// the shortest worth skipping (8).
const SHAPES: [number, number, number][] = [
  [30, 128, 784],
  [256, 128, 784],
  [31, 10, 784],
  [7, 17, 64],
  [13, 40, 9],
  [1, 1, 8],
  [6, 16, 30],
  [11, 33, 100],
  [30, 64, 128],
  [5, 3, 7],
];

/** An image-like A: a blank border, blank rows, a blank run of rows, scattered ±0 among values. */
function sparseRows(rows: number, columns: number, seed: number): Float32Array {
  const rng = Rng.fromSeed(seed);
  const A = new Float32Array(rows * columns);
  const border = Math.floor(columns / 5);
  for (let r = 0; r < rows; r++) {
    if (r % 7 === 3 || (r >= 12 && r < 24)) continue; // blank rows, and two whole tiles of them
    for (let p = border; p < columns - border; p++) {
      const u = rng.uniform();
      A[r * columns + p] = u < 0.6 ? (u < 0.1 ? -0 : 0) : rng.uniform() * 2 - 1;
    }
  }
  return A;
}

function put(kernels: Kernels, values: ArrayLike<number>): Float32Array {
  const out = kernels.alloc(values.length);
  out.set(values);
  return out;
}

function bitsOf(x: Float32Array): number[] {
  return Array.from(new Uint32Array(x.slice().buffer));
}

describe.each(cases)('$label products of mostly-zero inputs', (c) => {
  const test = itFor(c);

  for (const product of ['gemm', 'gemmTN'] as const) {
    test(`${product} gives the dense loop's bits on every tile and tail`, () => {
      const kernels = kernelsOf(c);
      for (const [m, n, k] of SHAPES) {
        // gemm: A is m × k, its positions p are columns; gemmTN: A is k × m (Aᵀ), p are its rows.
        const a = product === 'gemm' ? sparseRows(m, k, m * 7 + k) : transpose(sparseRows(m, k, m * 7 + k), m, k);
        const rng = Rng.fromSeed(n * 13 + k);
        const b = Float32Array.from({ length: k * n }, () => rng.uniform() * 2 - 1);
        // A NaN at B(p*, j*): the dense run, whose column j* is NaN in every row (0 · NaN is NaN).
        const pStar = Math.floor(k / 2);
        const jStar = n - 1;
        const A = put(kernels, a);
        const skipping = kernels.alloc(m * n);
        kernels[product](m, n, k, A, put(kernels, b), skipping);
        const withNaN = Float32Array.from(b);
        withNaN[pStar * n + jStar] = NaN;
        const dense = kernels.alloc(m * n);
        kernels[product](m, n, k, A, put(kernels, withNaN), dense);
        const others = (C: Float32Array) => C.filter((_, e) => e % n !== jStar);
        expect(bitsOf(others(skipping)), `${product} m=${m} n=${n} k=${k}`).toEqual(bitsOf(others(dense)));
        for (let i = 0; i < m; i++) expect(Number.isNaN(dense[i * n + jStar]), `column ${jStar} is NaN`).toBe(true);
      }
    });
  }

  test('an infinite weight times a zero pixel is NaN, as without skipping', () => {
    const kernels = kernelsOf(c);
    const [m, n, k] = [12, 20, 64];
    const a = sparseRows(m, k, 5);
    for (let i = 0; i < m; i++) a[i * k] = 0; // position 0: zero in every row
    const b = new Float32Array(k * n).fill(0.5);
    b[3] = Infinity; // B(0, 3): multiplies only zeros
    const C = kernels.alloc(m * n);
    kernels.gemm(m, n, k, put(kernels, a), put(kernels, b), C);
    for (let i = 0; i < m; i++) {
      expect(Number.isNaN(C[i * n + 3]), `row ${i}, column 3`).toBe(true);
      expect(Number.isNaN(C[i * n + 4]), `row ${i}, column 4`).toBe(false);
    }
  });

  test('a NaN in A is not a zero: it reaches its row of C', () => {
    const kernels = kernelsOf(c);
    const [m, n, k] = [12, 20, 64];
    const a = new Float32Array(m * k);
    a[5 * k + 40] = NaN; // the only non-zero of the whole matrix
    const C = kernels.alloc(m * n);
    kernels.gemm(m, n, k, put(kernels, a), put(kernels, new Float32Array(k * n).fill(0.25)), C);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(Number.isNaN(C[i * n + j]), `C(${i}, ${j})`).toBe(i === 5);
    // Rows of zeros give +0, never −0.
    expect(Object.is(C[0], 0)).toBe(true);
  });
});

function transpose(x: Float32Array, rows: number, columns: number): Float32Array {
  const t = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let p = 0; p < columns; p++) t[p * rows + r] = x[r * columns + p]!;
  return t;
}
