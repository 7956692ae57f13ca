import type { Rng } from '../core/rng.ts';
import { JOE_KUO_DIRECTIONS } from './sobol-directions.ts';

/** Bits of every coordinate: points 0 … 2^32 − 1 of the sequence are distinct in each dimension. */
const BITS = 32;
export const SOBOL_MAX_DIMENSIONS = JOE_KUO_DIRECTIONS.length + 1;

/**
 * Direction numbers V_1 … V_32 of one dimension (from 0) as 32-bit integers, V_k = m_k · 2^(32−k):
 * Bratley & Fox (ACM TOMS 14, 1988, Algorithm 659) eq. (2), in the form of Joe & Kuo's notes
 * ("Notes on generating Sobol sequences", 2008, §2):
 *   V_k = V_{k−s} ⊕ (V_{k−s} ≫ s) ⊕ a_1·V_{k−1} ⊕ … ⊕ a_{s−1}·V_{k−s+1}   for k > s.
 */
export function directionNumbers(dimension: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dimension === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const row = JOE_KUO_DIRECTIONS[dimension - 1];
  if (!row) throw new RangeError(`Sobol points here have at most ${SOBOL_MAX_DIMENSIONS} dimensions, asked for dimension ${dimension + 1}`);
  const [s, a, m] = row;
  for (let k = 0; k < BITS; k++) {
    if (k < s) {
      v[k] = (m[k]! * 2 ** (BITS - 1 - k)) >>> 0;
      continue;
    }
    let x = v[k - s]! ^ (v[k - s]! >>> s);
    for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x ^= v[k - i]!;
    v[k] = x >>> 0;
  }
  return v;
}

/**
 * A scrambled Sobol sequence in `dimensions` dimensions: Joe & Kuo's direction numbers with
 * Matoušek's linear matrix scrambling and a digital shift (J. Matoušek, "On the L2-discrepancy for
 * anchored boxes", J. Complexity 14 (1998) 527–556; the scrambling scipy.stats.qmc.Sobol applies).
 * Each dimension's generating matrix C becomes L·C, L lower triangular with a unit diagonal and
 * random bits below it, and every point is XORed with a random 32-bit shift: the points remain a
 * (t, s)-sequence in base 2 (LMS is a bijection on each elementary interval), with random offsets
 * that make the point set an unbiased sample. Without `rng`, the plain sequence (point 0 is the origin).
 */
export class SobolSequence {
  private readonly directions: Uint32Array[];
  private readonly shift: Uint32Array;

  constructor(
    readonly dimensions: number,
    rng?: Rng,
  ) {
    this.directions = Array.from({ length: dimensions }, (_, d) => directionNumbers(d));
    this.shift = new Uint32Array(dimensions);
    if (!rng) return;
    for (let d = 0; d < dimensions; d++) {
      // Row r of L, MSB first: random bits in the columns left of the diagonal, a 1 on it.
      const rows = new Uint32Array(BITS);
      for (let r = 0; r < BITS; r++) {
        const diagonal = 2 ** (BITS - 1 - r);
        const left = r === 0 ? 0 : (rng.int(2 ** r) * 2 ** (BITS - r)) >>> 0;
        rows[r] = (left | diagonal) >>> 0;
      }
      const v = this.directions[d]!;
      for (let k = 0; k < BITS; k++) {
        let scrambled = 0;
        for (let r = 0; r < BITS; r++) if (parity(rows[r]! & v[k]!)) scrambled |= 2 ** (BITS - 1 - r);
        v[k] = scrambled >>> 0;
      }
      this.shift[d] = rng.int(2 ** BITS);
    }
  }

  /** Point `index` (0 … 2^32 − 1), coordinates in [0, 1): the XOR of the direction numbers of its Gray code's bits (Antonov & Saleev 1979). */
  point(index: number): number[] {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** BITS) throw new RangeError(`Sobol point index out of range: ${index}`);
    const gray = (index ^ Math.floor(index / 2)) >>> 0;
    return this.directions.map((v, d) => {
      let x = this.shift[d]!;
      for (let k = 0, g = gray; g !== 0; k++, g >>>= 1) if (g & 1) x ^= v[k]!;
      return (x >>> 0) / 2 ** BITS;
    });
  }
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}
