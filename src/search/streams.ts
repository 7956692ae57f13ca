import { Rng } from '../core/rng.ts';

/**
 * Independent random streams of one search, each named by what it is for and an index (a trial),
 * so that a proposal's randomness depends on the search seed and its own place only: never on how
 * many draws another proposal made, nor on the order in which proposals are computed.
 */
export const STREAMS = { random: 1, sobolScramble: 2, tpe: 3, fallback: 4 } as const;

/** The generator of stream `stream`, index `index`, of the search seeded `seed` (a safe integer ≥ 0). */
export function streamRng(seed: number, stream: number, index = 0): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`a search seed is an integer ≥ 0, got ${seed}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  // Two rounds of the murmur3 finaliser over the four words: distinct (seed, stream, index) give
  // unrelated states; Rng.fromSeed mixes the result again into xoroshiro's 128 bits.
  const a = fmix32((low ^ Math.imul(stream, 0x9e3779b1)) >>> 0);
  const b = fmix32((high ^ Math.imul(index >>> 0, 0x85ebca77) ^ a) >>> 0);
  const c = fmix32((a ^ Math.imul(Math.floor(index / 2 ** 32) + 1, 0xc2b2ae3d) ^ b) >>> 0);
  return Rng.fromSeed((b & 0x1fffff) * 2 ** 32 + (c >>> 0));
}

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
