import { describe, expect } from 'vitest';
import { loadNativeAddon } from '../../../src/backends/load.ts';
import { backendCases, itFor, kernelsOf } from './backends.ts';

const native = (await backendCases()).find((c) => c.label.startsWith('native'))!;

describe('native addon argument checks', () => {
  const it = itFor(native);

  it('throws instead of reading or writing out of bounds', () => {
    const kernels = kernelsOf(native);
    const A = kernels.alloc(4);
    expect(() => kernels.gemm(2, 3, 2, A, A, A)).toThrow(/B has 4 elements, the shape needs 6/);
    expect(() => kernels.gemmNT(2, 2, 2, A, A, new Float32Array(3))).toThrow(RangeError);
    expect(() => kernels.gemm(-1, 2, 2, A, A, A)).toThrow(/m must be a non-negative integer/);
    expect(() => kernels.gemm(1.5, 2, 2, A, A, A)).toThrow(RangeError);
    expect(() => kernels.axpy(4, 1, new Float64Array(4) as unknown as Float32Array, A)).toThrow(/x must be a Float32Array/);
    expect(() => kernels.columnSums(2, 3, A, A)).toThrow(RangeError);
    expect(() => kernels.softmaxCrossEntropy(2, 2, A, Uint8Array.from([0, 2]), null)).toThrow(/label is not below cols/);
    expect(() => kernels.softmaxCrossEntropy(2, 2, A, Uint8Array.from([0]), null)).toThrow(TypeError);
    expect(() => kernels.multiply(5, A, A, A)).toThrow(/x has 4 elements, the shape needs 5/);
    const state = new Int32Array(4);
    expect(() => kernels.bernoulliMask(4, new Int32Array(3), 1, 1, A)).toThrow(/state has 3 elements, the shape needs 4/);
    expect(() => kernels.bernoulliMask(4, new Uint32Array(4) as unknown as Int32Array, 1, 1, A)).toThrow(/state must be a Int32Array/);
    expect(() => kernels.bernoulliMask(4, state, 2 ** 31 + 1, 1, A)).toThrow(/threshold must be an integer from 0 to 2\^31/);
    expect(() => kernels.bernoulliMask(5, state, 1, 1, A)).toThrow(/out has 4 elements, the shape needs 5/);
  });

  it('aligns every buffer it allocates to 64 bytes', () => {
    const kernels = kernelsOf(native);
    for (const length of [1, 7, 30 * 784]) {
      const buffer = kernels.alloc(length);
      expect(buffer.length).toBe(length);
      // The addon's own measure: elements to skip to the next 64-byte boundary.
      expect(loadNativeAddon().alignmentSkip(buffer)).toBe(0);
      expect(Array.from(buffer.subarray(0, 4))).toEqual(new Array(Math.min(4, length)).fill(0));
    }
  });
});
