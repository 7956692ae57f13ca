import { describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../src/core/kernels/reference.ts';
import { Rng } from '../../../src/core/rng.ts';

const firstDraws = (seed: number) => {
  const rng = Rng.fromSeed(seed);
  return [rng.uniform(), rng.uniform(), rng.uniform()];
};

describe('Rng', () => {
  it('gives the same stream for the same seed', () => {
    expect(firstDraws(7)).toEqual(firstDraws(7));
  });

  it.each([
    [1, 2 ** 32 + 1],
    [0, 5 + 5 * 2 ** 32],
    [1, 2 ** 32],
    [3, 4],
    [0, Number.MAX_SAFE_INTEGER],
  ])('gives different streams for seeds %d and %d (no 32-bit folding)', (a, b) => {
    expect(firstDraws(a)).not.toEqual(firstDraws(b));
  });

  it('does not start small seeds near 1.0 (seeds are scrambled before use)', () => {
    const draws = Array.from({ length: 100 }, (_, seed) => Rng.fromSeed(seed).uniform());
    expect(draws.reduce((a, b) => a + b, 0) / 100).toBeGreaterThan(0.35);
    expect(draws.reduce((a, b) => a + b, 0) / 100).toBeLessThan(0.65);
  });

  it('fork gives an independent stream and advances the parent', () => {
    const parent = Rng.fromSeed(3);
    const child = parent.fork();
    expect(child.uniform()).not.toBe(parent.uniform());
  });

  it('shuffle is a permutation', () => {
    const values = Uint32Array.from({ length: 1000 }, (_, i) => i);
    Rng.fromSeed(9).shuffle(values);
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...values.subarray(0, 10)]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('the documentation on seeds', () => {
  it('names the seed mixer that Rng.fromSeed uses', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync('docs/experiment-files.md', 'utf8');
    const code = readFileSync('src/core/rng.ts', 'utf8');
    expect(code).toMatch(/function fmix32/);
    expect(readme).toMatch(/murmur3 finaliser \(`fmix32`/);
    // The generator has never used splitmix; the README once said it did.
    expect(readme).not.toMatch(/splitmix/i);
  });
});

describe('the reference bernoulliMask kernel', () => {
  it.each([0.5, 0.8, 1, 1e-3])('keeps with probability %s, from exactly the draws Rng.uint32() gives, and leaves the state Rng would have', (keep) => {
    const drawn = Rng.fromSeed(9);
    const state = Int32Array.from(Rng.fromSeed(9).state());
    const out = new Float32Array(10_001);
    const threshold = Math.round(keep * 2 ** 31);
    referenceKernels.bernoulliMask(10_000, state, threshold, 1.25, out);
    const expected = Array.from({ length: 10_000 }, () => (drawn.uint32() >>> 1 < threshold ? 1.25 : 0));
    expect(Array.from(out.subarray(0, 10_000))).toEqual(expected);
    expect(out[10_000]).toBe(0);
    expect(Array.from(state)).toEqual(drawn.state());
    expect(Rng.fromState(Array.from(state)).uniform()).toBe(drawn.uniform());
  });
});
