import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../../src/data/data-file-error.ts';
import { encodeNpy, npyFeatures, npyLabels, parseNpyHeader } from '../../../src/data/npy.ts';

const fixture = (name: string) => path.join('test/fixtures/data/npy', name);
const read = (name: string) => new Uint8Array(readFileSync(fixture(name)));
const quarters = Array.from({ length: 12 }, (_, i) => i / 4);

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DataFileError) return error.problem;
    throw error;
  }
  throw new Error('no error');
}

describe('.npy files written by numpy', () => {
  it.each(['train-x-f4.npy', 'v2-f4.npy', 'v3-f4.npy', 'train-x-f8-be.npy'])('reads %s as float32 rows × features', (name) => {
    const { shape, values } = npyFeatures(read(name), name);
    expect(shape).toEqual([4, 3]);
    expect(values).toBeInstanceOf(Float32Array);
    expect(Array.from(values)).toEqual(quarters);
  });

  it('keeps uint8 images as bytes with their shape', () => {
    const { shape, values } = npyFeatures(read('images-u1.npy'), 'images');
    expect(shape).toEqual([4, 2, 3]);
    expect(values).toBeInstanceOf(Uint8Array);
    expect(values[23]).toBe(23);
  });

  it('reads integer labels of any width', () => {
    expect(Array.from(npyLabels(read('train-y-i8.npy'), 'y'))).toEqual([0, 1, 2, 1]);
    expect(Array.from(npyLabels(read('test-y-u1.npy'), 'y'))).toEqual([2, 0]);
  });

  it.each([
    ['fortran.npy', 'features', /Fortran \(column-major\) order/],
    ['object.npy', 'labels', /object array/],
    ['structured.npy', 'features', /structured array/],
    ['rank1-f4.npy', 'features', /at least 2 dimensions/],
    ['labels-2d.npy', 'labels', /labels need 1 dimension/],
    ['labels-f4.npy', 'labels', /integer class indices/],
    ['truncated.npy', 'features', /^truncated: shape \(4, 3\) of <f4 needs 176 bytes, the file has 171$/],
    ['images-u1.npy', 'labels', /labels need 1 dimension/],
  ] as const)('refuses %s as %s', (name, as, message) => {
    expect(problem(() => (as === 'features' ? npyFeatures : npyLabels)(read(name), name))).toMatch(message);
  });

  it('refuses what is not a .npy file: empty, a zip (.npz), text', () => {
    expect(problem(() => parseNpyHeader(new Uint8Array(0), 'f'))).toMatch(/empty/);
    expect(problem(() => parseNpyHeader(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0), 'f'))).toMatch(/zip archive/);
    expect(problem(() => parseNpyHeader(new TextEncoder().encode('x,y\n1,2\n'), 'f'))).toMatch(/not a .npy file/);
  });

  it('refuses a header claiming 10¹² rows without allocating them', () => {
    const bytes = encodeNpy('<f4', [1e12, 3], new Uint8Array(12));
    expect(problem(() => npyFeatures(bytes, 'f'))).toMatch(/^truncated/);
  });

  it('encodeNpy writes what numpy writes', () => {
    const floats = new Float32Array(quarters);
    expect(encodeNpy('<f4', [4, 3], new Uint8Array(floats.buffer))).toEqual(read('train-x-f4.npy'));
  });
});
