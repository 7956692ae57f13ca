import { expect } from 'vitest';

/** Unit roundoff of float32. */
export const U32 = 2 ** -24;

/**
 * Expects |got[i] − want[i]| ≤ bound[i] for every i, reporting the worst element's index, values
 * and bound. NaN must match NaN.
 */
export function expectWithin(got: Float32Array, want: ArrayLike<number>, bound: ArrayLike<number>, what: string): void {
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w) || Number.isNaN(g)) {
      if (Number.isNaN(w) !== Number.isNaN(g)) {
        worst = i;
        worstRatio = Infinity;
        break;
      }
      continue;
    }
    const ratio = Math.abs(g - w) / (bound[i]! || Number.MIN_VALUE);
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = i;
    }
  }
  const detail = worst < 0 ? '' : `worst at ${worst}: got ${got[worst]}, want ${want[worst]}, bound ${bound[worst]}`;
  expect(worstRatio <= 1, `${what}: ${detail}`).toBe(true);
}
