/**
 * Every kernel of every available backend against the reference (`js`) kernels, on random and
 * awkward shapes: 1 × 1, odd sizes, sizes that are not multiples of the tile (10 × 32 AVX-512, 6 × 16 AVX2,
 * 2 × 16 wasm) or of the vector width (8 / 4), the training shapes, and views that do not start on
 * a vector boundary.
 *
 * Tolerances. A product's float32 result depends on the order of its k additions (tiles, vector
 * lanes, FMA contraction), so no two backends agree bit for bit. For any summation order the error
 * is bounded (Higham, γ_k) by |C − C_exact| ≤ k·u·Σ_p |a_ip·b_pj| with u = 2⁻²⁴ (up to O(u²));
 * the reference rounds its float64 sum once more (≤ u·|C|). So every element must satisfy
 * |C − C_ref| ≤ (k + 2)·u·(|A|·|B|)_ij: a guaranteed bound, never a flaky one, and still tight enough
 * to catch a wrong index (an error there is of the order of the values themselves).
 * Element-wise kernels: addBias and relu are exact; column sums get the same (rows + 1)·u bound;
 * axpy 2u·(|y| + |αx|) (α is rounded to float32 once); multiply is one correctly rounded product, so exact; bernoulliMask is integer arithmetic, so exact. Sigmoid and tanh run in float32 on
 * z + b rounded to float32 (error u·|x| in the argument x, which moves g(x) by at most u·|x|·|g|, since
 * |x·g'(x)/g(x)| ≤ |x| for both) with a vectorised exp (≤ 2 ulp) and a few roundings after it: hence
 * (6 + |x|)·u·|g|, plus the smallest normal float, under which results may flush to 0 or stay tiny.
 * Their derivatives a few u. unpackBytes is exact: every backend gives the reference's float.
 */
import { describe, expect } from 'vitest';
import type { HiddenActivation, Kernels } from '../../../src/core/kernels/kernels.ts';
import { referenceKernels as ref } from '../../../src/core/kernels/reference.ts';
import { Rng } from '../../../src/core/rng.ts';
import { backendCases, itFor, kernelsOf } from './backends.ts';
import { expectWithin, U32 } from './tolerance.ts';

const cases = await backendCases();

// Row counts reach every row tile of the native products: the AVX-512 tile has 10 rows (3, 7 and 9
// are last tiles of their own, 31 = 3 × 10 + 1), the AVX2 tile 6 rows (3 and 9 = 6 + 3 end in a
// 3-row tile, 5, 7 and 31 in 5- and 1-row tiles).
const M = [1, 3, 5, 7, 9, 30, 31];
// Column counts: AVX-512 panels are 32 wide, and one of at most 16 columns is a one-vector tile
// (1, 7, 10; 40 = 32 + 8 ends in one), 17 a masked two-vector one; wasm computes the last n mod 4
// columns (1 to 3: 1, 10, 7) 4 rows at a time.
const N = [1, 7, 10, 17, 40, 64, 128];
const K = [1, 3, 784];
/** The eight products of a [784, 128, 64, 10] training step at batch 30, plus a remainder batch. */
const TRAINING_SHAPES: Record<'gemm' | 'gemmNT' | 'gemmTN', [number, number, number][]> = {
  gemm: [
    [30, 128, 784],
    [30, 64, 128],
    [30, 10, 64],
    [20, 128, 784],
    [256, 128, 784],
  ],
  gemmTN: [
    [784, 128, 30],
    [128, 64, 30],
    [64, 10, 30],
    [784, 128, 20],
  ],
  gemmNT: [
    [30, 784, 128],
    [30, 128, 64],
    [30, 64, 10],
    [20, 784, 128],
  ],
};

function grid(): [number, number, number][] {
  const shapes: [number, number, number][] = [
    [0, 0, 0],
    [2, 3, 0],
    [1, 1, 1],
  ];
  for (const m of M) for (const n of N) for (const k of K) shapes.push([m, n, k]);
  return shapes;
}

/** A buffer of `length` values from the backend, filled from `values`; `offset` elements in. */
function put(kernels: Kernels, values: ArrayLike<number>, offset = 0): Float32Array {
  const buffer = kernels.alloc(values.length + offset).subarray(offset);
  buffer.set(values);
  return buffer;
}

function random(length: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = Rng.fromSeed(seed);
  return Float32Array.from({ length }, () => lo + (hi - lo) * rng.uniform());
}

const abs = (x: Float32Array): Float32Array => x.map(Math.abs);

/** The smallest normal float32. */
const FLT_MIN = 2 ** -126;

/** The bound of a float32 sigmoid or tanh of the argument x (see the header). */
const smoothBound = (want: number, x: number): number => (6 + Math.abs(x)) * U32 * Math.abs(want) + FLT_MIN;

describe.each(cases)('$label kernels', (c) => {
  const test = itFor(c);

  describe.each(['gemm', 'gemmNT', 'gemmTN'] as const)('%s', (product) => {
    const check = (kernels: Kernels, m: number, n: number, k: number, offset: number): void => {
      const aLen = m * k;
      const bLen = k * n;
      const a = random(aLen, m * 1000 + k);
      const b = random(bLen, n * 1000 + k + 7);
      const A = put(kernels, a, offset);
      const B = put(kernels, b, offset);
      const C = put(kernels, new Float32Array(m * n).fill(NaN), offset); // outputs are overwritten
      kernels[product](m, n, k, A, B, C);
      const want = new Float32Array(m * n);
      ref[product](m, n, k, a, b, want);
      const scale = new Float32Array(m * n);
      ref[product](m, n, k, abs(a), abs(b), scale);
      const bound = scale.map((s) => (k + 2) * U32 * s);
      expectWithin(C, want, bound, `${product} m=${m} n=${n} k=${k} offset=${offset}`);
    };

    test('matches the reference on the shape grid m∈{1,3,5,7,9,30,31} × n∈{1,7,10,17,40,64,128} × k∈{1,3,784}, and k = 0', () => {
      const kernels = kernelsOf(c);
      for (const [m, n, k] of grid()) check(kernels, m, n, k, 0);
    });

    test('matches the reference on the training shapes, including a remainder batch', () => {
      const kernels = kernelsOf(c);
      for (const [m, n, k] of TRAINING_SHAPES[product]) check(kernels, m, n, k, 0);
    });

    test('works on views that do not start on a vector boundary', () => {
      const kernels = kernelsOf(c);
      for (const offset of [1, 3])
        for (const [m, n, k] of [
          [5, 17, 3],
          [31, 128, 784],
          [7, 10, 33],
        ] as const)
          check(kernels, m, n, k, offset);
    });
  });

  const ELEMENT_SHAPES = [
    [1, 1],
    [5, 17],
    [30, 128],
    [31, 10],
    [30, 64],
    [3, 3],
  ] as const;
  const ACTS: HiddenActivation[] = ['relu', 'sigmoid', 'tanh'];

  test.each(ACTS)('biasActivation %s matches the reference', (activation) => {
    const kernels = kernelsOf(c);
    for (const [rows, cols] of ELEMENT_SHAPES) {
      const z = random(rows * cols, rows + cols, -4, 4);
      const b = random(cols, cols, -1, 1);
      const Z = put(kernels, z, 1);
      kernels.biasActivation(rows, cols, Z, put(kernels, b), activation);
      const want = Float32Array.from(z);
      ref.biasActivation(rows, cols, want, b, activation);
      const bound = activation === 'relu' ? new Float32Array(want.length) : want.map((w, i) => smoothBound(w, z[i]! + b[i % cols]!));
      expectWithin(Z, want, bound, `${activation} ${rows}×${cols}`);
    }
  });

  test.each(ACTS)('biasActivation %s handles NaN, ±1000 and ±0 like the reference', (activation) => {
    const kernels = kernelsOf(c);
    const z = Float32Array.from([NaN, 1000, -1000, 0, -0, 1e-30, -1e-30, 3, NaN, -5, 1000, -1000, 0.5]);
    const b = new Float32Array(z.length);
    const Z = put(kernels, z);
    kernels.biasActivation(1, z.length, Z, put(kernels, b), activation);
    const want = Float32Array.from(z);
    ref.biasActivation(1, z.length, want, b, activation);
    expectWithin(
      Z,
      want,
      want.map((w, i) => (activation === 'relu' ? 0 : smoothBound(w, z[i]!))),
      activation,
    );
    // Signs and specials exactly: NaN stays NaN, ±1000 saturate, g(±0) keeps tanh's sign of zero.
    for (const i of [0, 1, 2, 3, 4]) expect(Object.is(Z[i], want[i]) || Math.abs(Z[i]! - want[i]!) < FLT_MIN).toBe(true);
  });

  test.each(ACTS.filter((a) => a !== 'relu'))('biasActivation %s stays within its bound over the whole useful range', (activation) => {
    const kernels = kernelsOf(c);
    // Every 1/64 from −100 to 100 (the exp clamps, the tanh polynomial's edge at ±0.625, subnormal results)
    // and 4,000 random arguments.
    const grid = Float32Array.from({ length: 12801 }, (_, i) => -100 + i / 64);
    const z = Float32Array.of(...grid, ...random(4000, 7, -30, 30));
    const Z = put(kernels, z);
    kernels.biasActivation(1, z.length, Z, put(kernels, new Float32Array(z.length)), activation);
    const want = Float32Array.from(z);
    ref.biasActivation(1, z.length, want, new Float32Array(z.length), activation);
    expectWithin(
      Z,
      want,
      want.map((w, i) => smoothBound(w, z[i]!)),
      activation,
    );
  });

  test('unpackBytes gives the reference float for every byte, at every offset and length', () => {
    const kernels = kernelsOf(c);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const [offset, length] of [
      [0, 256],
      [1, 255],
      [3, 17],
      [5, 7],
      [0, 1],
    ] as const) {
      const src = kernels.allocBytes(length + offset).subarray(offset);
      src.set(all.subarray(0, length));
      const dst = kernels.alloc(length + 3).subarray(3);
      kernels.unpackBytes(length, src, dst);
      const want = new Float32Array(length);
      ref.unpackBytes(length, all, want);
      expect([...dst]).toEqual([...want]);
    }
  });

  test('unpackRows gathers the rows an order names, each byte as unpackBytes gives it', () => {
    const kernels = kernelsOf(c);
    if (!kernels.unpackRows) {
      expect(kernels.name).toBe('wasm'); // the only backend that must gather into its own memory
      return;
    }
    const features = 37;
    const src = Uint8Array.from({ length: 11 * features }, (_, i) => (i * 7919) % 256);
    const order = Uint32Array.from([10, 3, 3, 0, 7, 1, 9]);
    for (const [start, rows] of [
      [0, 7],
      [2, 4],
      [6, 1],
      [7, 0],
    ] as const) {
      const dst = kernels
        .alloc(rows * features + 5)
        .subarray(5)
        .fill(NaN);
      kernels.unpackRows(rows, features, src, order, start, dst);
      const want = new Float32Array(rows * features);
      for (let r = 0; r < rows; r++) {
        ref.unpackBytes(features, src.subarray(order[start + r]! * features), want.subarray(r * features));
      }
      expect([...dst.subarray(0, rows * features)]).toEqual([...want]);
    }
    if (kernels.name === 'native') {
      const dst = kernels.alloc(2 * features);
      expect(() => kernels.unpackRows!(2, features, src, Uint32Array.from([0, 11]), 0, dst)).toThrow(RangeError);
      expect(() => kernels.unpackRows!(2, features, src, order, 6, dst)).toThrow(RangeError);
      expect(() => kernels.unpackRows!(3, features, src, order, 0, dst)).toThrow(RangeError);
    }
  });

  test.each(ACTS)('activationBackward %s matches the reference', (activation) => {
    const kernels = kernelsOf(c);
    for (const length of [1, 3, 4, 7, 8, 17, 3840]) {
      const dA = random(length, length, -1, 1);
      const a =
        activation === 'relu'
          ? random(length, length + 1, -1, 1)
          : activation === 'sigmoid'
            ? random(length, length + 2, 0, 1)
            : random(length, length + 3, -1, 1);
      if (activation === 'relu' && length > 3) a[2] = 0; // the gate at exactly 0 is closed
      const DA = put(kernels, dA, 1);
      kernels.activationBackward(length, DA, put(kernels, a, 2), activation);
      const want = Float32Array.from(dA);
      ref.activationBackward(length, want, a, activation);
      const bound = activation === 'relu' ? new Float32Array(length) : dA.map((d, i) => 4 * U32 * Math.abs(d) * (1 + Math.abs(a[i]!) + a[i]! * a[i]!));
      expectWithin(DA, want, bound, `${activation} length=${length}`);
    }
  });

  test('addBias is exact', () => {
    const kernels = kernelsOf(c);
    for (const [rows, cols] of ELEMENT_SHAPES) {
      const z = random(rows * cols, rows * cols);
      const b = random(cols, cols + 1);
      const Z = put(kernels, z, 3);
      kernels.addBias(rows, cols, Z, put(kernels, b, 1));
      const want = Float32Array.from(z);
      ref.addBias(rows, cols, want, b);
      expect(Array.from(Z)).toEqual(Array.from(want));
    }
  });

  test('columnSums matches the reference within (rows + 1)·u·Σ|x|', () => {
    const kernels = kernelsOf(c);
    for (const [rows, cols] of [...ELEMENT_SHAPES, [256, 128], [1, 784]] as const) {
      const x = random(rows * cols, rows * 31 + cols);
      const out = put(kernels, new Float32Array(cols).fill(NaN), 1);
      kernels.columnSums(rows, cols, put(kernels, x, 1), out);
      const want = new Float32Array(cols);
      ref.columnSums(rows, cols, x, want);
      const scale = new Float32Array(cols);
      ref.columnSums(rows, cols, abs(x), scale);
      expectWithin(
        out,
        want,
        scale.map((s) => (rows + 1) * U32 * s),
        `columnSums ${rows}×${cols}`,
      );
    }
  });

  test('axpy matches the reference within 2u·(|y| + |αx|)', () => {
    const kernels = kernelsOf(c);
    for (const length of [1, 3, 4, 17, 100352, 100353]) {
      const x = random(length, length);
      const y = random(length, length + 1);
      const alpha = -0.01;
      const Y = put(kernels, y, 1);
      kernels.axpy(length, alpha, put(kernels, x, 2), Y);
      const want = Float32Array.from(y);
      ref.axpy(length, alpha, x, want);
      expectWithin(
        Y,
        want,
        y.map((v, i) => 2 * U32 * (Math.abs(v) + Math.abs(alpha * x[i]!))),
        `axpy ${length}`,
      );
    }
  });

  test('axpy with x and y the same buffer (decoupled weight decay) matches the reference', () => {
    const kernels = kernelsOf(c);
    for (const length of [1, 3, 17, 100353]) {
      const y = random(length, length + 5);
      const Y = put(kernels, y, 3);
      kernels.axpy(length, -1e-3, Y, Y);
      const want = Float32Array.from(y);
      ref.axpy(length, -1e-3, want, want);
      expectWithin(
        Y,
        want,
        y.map((v) => 2 * U32 * Math.abs(v)),
        `axpy in place ${length}`,
      );
    }
  });

  test('multiply gives the reference products bit for bit, out separate or aliasing either input', () => {
    const kernels = kernelsOf(c);
    for (const length of [0, 1, 3, 4, 17, 30 * 128 + 5]) {
      const x = random(length, length + 11, -3, 3);
      // A dropout mask: zeros and the inverted-dropout scale, as the core draws it.
      const mask = Float32Array.from(random(length, length + 12), (v) => (v < -0.6 ? 0 : 1 / 0.8));
      const want = new Float32Array(length);
      ref.multiply(length, x, mask, want);
      expect(Array.from(want)).toEqual(Array.from(x, (v, i) => Math.fround(v * mask[i]!)));
      const X = put(kernels, x, 1);
      const M = put(kernels, mask, 2);
      const out = kernels.alloc(length + 3).subarray(3);
      kernels.multiply(length, X, M, out);
      expect(Array.from(out), `multiply ${length}`).toEqual(Array.from(want));
      kernels.multiply(length, X, M, X);
      expect(Array.from(X), `multiply into x ${length}`).toEqual(Array.from(want));
      const Y = put(kernels, x, 1);
      kernels.multiply(length, M, Y, Y);
      expect(Array.from(Y), `multiply into y ${length}`).toEqual(Array.from(want));
    }
  });

  test('bernoulliMask draws the reference masks and leaves the reference state, bit for bit', () => {
    const kernels = kernelsOf(c);
    const seedState = Int32Array.from(Rng.fromSeed(77).state());
    for (const [length, threshold] of [
      [0, 2 ** 30],
      [1, 2 ** 30],
      [7, 0],
      [30 * 128, Math.round(0.8 * 2 ** 31)],
      [30 * 64 + 3, 2 ** 31],
      [100_003, 12345],
    ] as const) {
      const want = new Float32Array(length);
      const wantState = seedState.slice();
      ref.bernoulliMask(length, wantState, threshold, 1 / 0.8, want);
      const words = kernels.alloc(4 + 1).subarray(1);
      const state = new Int32Array(words.buffer, words.byteOffset, 4);
      state.set(seedState);
      const out = kernels.alloc(length + 2).subarray(2);
      kernels.bernoulliMask(length, state, threshold, 1 / 0.8, out);
      expect(Array.from(out), `mask ${length}, threshold ${threshold}`).toEqual(Array.from(want));
      expect(Array.from(state), `state after ${length}`).toEqual(Array.from(wantState));
    }
  });

  test.each([
    ['random logits', 7, 10, 1],
    ['logits of ±1000', 7, 10, 1000],
    ['a batch of one', 1, 10, 5],
    ['odd class count', 31, 17, 3],
  ] as const)('softmaxCrossEntropy matches the reference (float64 inside) on %s, with dZ aliasing Z or null', (_, rows, cols, scale) => {
    const kernels = kernelsOf(c);
    const z = random(rows * cols, rows + cols, -scale, scale);
    const labels = Uint8Array.from({ length: rows }, (_, i) => (i * 3) % cols);
    const wantDZ = new Float32Array(rows * cols);
    const wantLoss = ref.softmaxCrossEntropy(rows, cols, z, labels, wantDZ);
    // exp/log of another libm may differ in the last bit of a float64: 1e-12 relative on the loss,
    // 2u on each (rounded to float32) gradient element.
    const Z = put(kernels, z);
    const dZ = kernels.alloc(rows * cols);
    expect(kernels.softmaxCrossEntropy(rows, cols, Z, labels, dZ)).toBeCloseTo(wantLoss, 9);
    expectWithin(
      dZ,
      wantDZ,
      wantDZ.map((w) => 2 * U32 * Math.abs(w) + 1e-30),
      'dZ',
    );
    expect(kernels.softmaxCrossEntropy(rows, cols, Z, labels, null)).toBeCloseTo(wantLoss, 9);
    expect(kernels.softmaxCrossEntropy(rows, cols, Z, labels, Z)).toBeCloseTo(wantLoss, 9);
    expectWithin(
      Z,
      wantDZ,
      wantDZ.map((w) => 2 * U32 * Math.abs(w) + 1e-30),
      'dZ in place',
    );
  });

  test('softmaxCrossEntropy propagates NaN logits like the reference', () => {
    const kernels = kernelsOf(c);
    const z = Float32Array.from([0, 1, NaN, 2, 0, 1, 2, 3]);
    const labels = Uint8Array.from([1, 3]);
    const want = new Float32Array(8);
    const wantLoss = ref.softmaxCrossEntropy(2, 4, z, labels, want);
    const dZ = kernels.alloc(8);
    expect(kernels.softmaxCrossEntropy(2, 4, put(kernels, z), labels, dZ)).toBe(wantLoss); // NaN
    expectWithin(
      dZ,
      want,
      want.map((w) => 2 * U32 * Math.abs(w) + 1e-30),
      'dZ',
    );
  });

  test('momentumStep and adamStep give the reference results on its own buffers', () => {
    const kernels = kernelsOf(c);

    const n = 37;
    const [w, g, v, s] = [1, 2, 3, 4].map((seed) => random(n, seed));
    const W = put(kernels, w!),
      G = put(kernels, g!),
      V = put(kernels, v!),
      S = put(kernels, s!);
    kernels.momentumStep(n, W, G, V, 0.1, 0.9, true);
    kernels.adamStep(n, W, G, V, S, 0.001, 0.9, 0.999, 1e-8, 3);
    const [w2, v2, s2] = [w!, v!, s!].map((x) => Float32Array.from(x));
    ref.momentumStep(n, w2!, g!, v2!, 0.1, 0.9, true);
    ref.adamStep(n, w2!, g!, v2!, s2!, 0.001, 0.9, 0.999, 1e-8, 3);
    expect(Array.from(W)).toEqual(Array.from(w2!));
    expect(Array.from(S)).toEqual(Array.from(s2!));
  });
});
