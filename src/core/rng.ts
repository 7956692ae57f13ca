import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/**
 * The one source of randomness in the core: a seeded xoroshiro128+ stream (pure-rand).
 * Every consumer receives an Rng; nothing reads the clock or a global random source, so the same seed gives
 * bit-identical runs.
 */
export class Rng {
  private constructor(private readonly generator: JumpableRandomGenerator) {}

  /**
   * A generator for an integer seed, expanded into the 128-bit state with the murmur3 finaliser
   * (a bijection), so that distinct seeds give distinct states (a 32-bit fold would make 1 and
   * 2^32 the same run) and small seeds do not give xoroshiro's correlated first draws.
   */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    const low = seed >>> 0;
    const high = Math.floor(seed / 2 ** 32) >>> 0;
    const mixLow = (c: number) => fmix32((low + c) >>> 0);
    // pure-rand's state order is [s0 high, s0 low, s1 high, s1 low] and the first output adds the
    // low words, so each word depends on the whole seed; (w0, w1) alone still determine it.
    const words = [mixLow(0x9e3779b9), fmix32((high + mixLow(0x3c6ef372)) >>> 0), mixLow(0xdaa66d2b), fmix32((high + mixLow(0x78dde6e4)) >>> 0)];
    return new Rng(xoroshiro128plusFromState(words));
  }

  /** A generator continuing exactly where the one that gave `state()` was. */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w))) throw new RangeError('an Rng state is four 32-bit integers');
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** The generator's internal state (four 32-bit words), plain data for a checkpoint. */
  state(): number[] {
    return [...this.generator.getState()];
  }

  /** An independent stream: this generator's state advanced by 2^64 draws (xoroshiro's jump). */
  fork(): Rng {
    const child = this.generator.clone();
    this.generator.jump();
    return new Rng(child);
  }

  /** A uniform 32-bit unsigned integer: one step of the generator. */
  uint32(): number {
    return this.generator.next() >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return uniformInt(this.generator, 0, n - 1);
  }

  /** Standard normal draw (Box–Muller; one of the pair is discarded to keep the stream simple). */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1], so the log is finite
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle, in place. */
  shuffle(values: Uint32Array): void {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = values[i]!;
      values[i] = values[j]!;
      values[j] = t;
    }
  }
}

/** The murmur3 32-bit finaliser: a bijection on 32-bit words that mixes every bit into every other. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
