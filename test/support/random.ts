import { Rng } from '../../src/core/rng.ts';

/** A Float32Array of uniform values in [lo, hi), from a fixed seed. */
export function randomArray(length: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = Rng.fromSeed(seed);
  return Float32Array.from({ length }, () => lo + (hi - lo) * rng.uniform());
}

/** Row-major transpose of a rows × cols matrix. */
export function transpose(M: Float32Array, rows: number, cols: number): Float32Array {
  const T = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) T[j * rows + i] = M[i * cols + j]!;
  return T;
}

/** ‖a − b‖ / (‖a‖ + ‖b‖): the relative error used by gradient checks; 0 when both are zero. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  const denom = Math.sqrt(na) + Math.sqrt(nb);
  return denom === 0 ? 0 : Math.sqrt(diff) / denom;
}
