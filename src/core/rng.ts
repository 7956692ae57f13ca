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
  private constructor(private generator: JumpableRandomGenerator) {}

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
    const words = [
      mixLow(0x9e3779b9),
      fmix32((high + mixLow(0x3c6ef372)) >>> 0),
      mixLow(0xdaa66d2b),
      fmix32((high + mixLow(0x78dde6e4)) >>> 0),
    ];
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

  /**
   * out[i] ← `value` with probability `keep`, else 0, for i < length: element i takes the i-th next
   * uint32() draw and keeps `value` when its top 31 bits are below round(keep·2³¹). pure-rand's
   * xoroshiro128+ step (its `next`) is written out here with the state in locals and the test made
   * without a branch: three times faster than a call and a comparison per element, which is what
   * keeps dropout's masks cheap (a test checks the values against uint32()).
   */
  fillBernoulli(out: Float32Array, length: number, keep: number, value: number): void {
    const threshold = Math.round(keep * 2 ** 31);
    // pure-rand's state order: [s01, s00, s11, s10], s0 = (s01, s00) and s1 = (s11, s10), high word first.
    let [s01, s00, s11, s10] = this.generator.getState() as [number, number, number, number];
    for (let i = 0; i < length; i++) {
      // (draw >>> 1) − threshold is negative exactly when the draw keeps the unit: its sign bit is the test.
      out[i] = value * ((((s00 + s10) >>> 1) - threshold) >>> 31);
      const a0 = s10 ^ s00;
      const a1 = s11 ^ s01;
      const t00 = s00;
      const t01 = s01;
      s00 = (t00 << 24) ^ (t01 >>> 8) ^ a0 ^ (a0 << 16);
      s01 = (t01 << 24) ^ (t00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16));
      s10 = (a1 << 5) ^ (a0 >>> 27);
      s11 = (a0 << 5) ^ (a1 >>> 27);
    }
    this.generator = xoroshiro128plusFromState([s01, s00, s11, s10]);
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
