import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdxUint8, parseIdx } from '../../../src/data/idx.ts';
import { loadDataset, type DatasetSpec } from '../../../src/data/load.ts';
import { fileMapper } from '../../../src/backends/load.ts';
import { InputRows } from '../../../src/core/input-rows.ts';
import { referenceKernels } from '../../../src/core/kernels/reference.ts';
import { requires } from '../../support/requires.ts';
import { workspace } from '../../support/workspace.ts';

const dir = workspace('idx').dir;
function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Three 2×2 images and their labels, as four IDX files (the same set for training and test). */
function smallDataset(): { trainImages: string; trainLabels: string; testImages: string; testLabels: string } {
  const images = write('images', encodeIdxUint8([3, 2, 2], Uint8Array.of(0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8)));
  const labels = write('labels', encodeIdxUint8([3], Uint8Array.of(2, 0, 1)));
  return { trainImages: images, trainLabels: labels, testImages: images, testLabels: labels };
}

describe('IDX reader', () => {
  it('reads a valid file written by the test', () => {
    const parsed = parseIdx(encodeIdxUint8([2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6)), 'small');
    expect(parsed.dims).toEqual([2, 3]);
    expect([...parsed.values]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads big-endian float files', () => {
    const bytes = new Uint8Array(4 + 4 + 8);
    const view = new DataView(bytes.buffer);
    bytes[2] = 0x0d;
    bytes[3] = 1;
    view.setUint32(4, 2);
    view.setFloat32(8, 0.25);
    view.setFloat32(12, -2);
    expect([...parseIdx(bytes, 'f').values]).toEqual([0.25, -2]);
  });

  it.each([
    ['an empty file', new Uint8Array(0), /^bad: the file is empty/],
    ['a wrong magic number', Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 0), /^bad: wrong magic number/],
    ['a gzip file', Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0), /gzip-compressed: gunzip it first/],
    ['an unknown element type', Uint8Array.of(0, 0, 0x42, 1, 0, 0, 0, 0), /unknown IDX element type 0x42/],
    ['a truncated header', Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1), /truncated header: 3 dimensions need 16 bytes, the file has 8/],
    [
      'truncated data',
      encodeIdxUint8([2, 3], new Uint8Array(6)).subarray(0, 14),
      /truncated: dimensions \[2, 3\] of unsigned byte need 18 bytes, the file has 14/,
    ],
    ['trailing bytes', Uint8Array.of(...encodeIdxUint8([2], Uint8Array.of(1, 2)), 9), /too long: .* need 10 bytes, the file has 11/],
  ])('rejects %s with a message naming the problem', (_, bytes, message) => {
    expect(() => parseIdx(bytes, 'bad')).toThrow(message);
  });
});

describe('loadDataset', () => {
  it('keeps byte pixels and labels as bytes in shared memory; gathering scales pixels to [0, 1]', () => {
    const data = loadDataset({ files: smallDataset(), trainLimit: null, testLimit: null, validation: 0 });
    expect(data.train.count).toBe(3);
    expect(data.train.features).toBe(4);
    expect(data.train.classes).toBe(3);
    expect(data.train.images).toBeInstanceOf(Uint8Array);
    expect([...data.train.images.subarray(0, 4)]).toEqual([0, 255, 51, 102]);
    expect([...data.train.labels]).toEqual([2, 0, 1]);
    expect(data.train.images.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(data.train.labels.buffer).toBeInstanceOf(SharedArrayBuffer);

    const input = new InputRows(referenceKernels, 2, 4);
    input.gather(data.train, Uint32Array.of(2, 0), 0, 2);
    expect([...input.X]).toEqual([5, 6, 7, 8, 0, 255, 51, 102].map((b) => Math.fround(b / 255)));
    expect([...input.labels]).toEqual([1, 2]);
    input.copyRange(data.test, 1, 1);
    expect([...input.X.subarray(0, 4)]).toEqual([1, 2, 3, 4].map((b) => Math.fround(b / 255)));
  });

  it('uses float pixels as they are', () => {
    const floats = new Uint8Array(4 + 8 + 16);
    const view = new DataView(floats.buffer);
    floats[2] = 0x0d;
    floats[3] = 2;
    view.setUint32(4, 2);
    view.setUint32(8, 2);
    [0.5, -1, 2, 0.25].forEach((v, i) => view.setFloat32(12 + 4 * i, v));
    const labels = write('float-labels', encodeIdxUint8([2], Uint8Array.of(0, 1)));
    const images = write('float-images', floats);
    const data = loadDataset({
      files: { trainImages: images, trainLabels: labels, testImages: images, testLabels: labels },
      trainLimit: null,
      testLimit: null,
      validation: 0,
    });
    expect(data.train.images).toBeInstanceOf(Float32Array);
    const input = new InputRows(referenceKernels, 2, 2);
    input.copyRange(data.train, 0, 2);
    expect([...input.X]).toEqual([0.5, -1, 2, 0.25]);
  });

  it('caps the sets and holds out the last training images for validation', () => {
    const data = loadDataset({ files: smallDataset(), trainLimit: 3, testLimit: 1, validation: 1 });
    expect([data.train.count, data.validation!.count, data.test.count]).toEqual([2, 1, 1]);
    expect([...data.validation!.labels]).toEqual([1]);
  });

  it('rejects labels whose count differs from the images, naming the label file', () => {
    const files = { ...smallDataset(), trainLabels: write('two-labels', encodeIdxUint8([2], Uint8Array.of(0, 1))) };
    expect(() => loadDataset({ files, trainLimit: null, testLimit: null, validation: 0 })).toThrow(/two-labels: 2 labels for 3 images/);
  });

  it('rejects label files of the wrong dimension', () => {
    const files = { ...smallDataset(), testLabels: write('matrix-labels', encodeIdxUint8([3, 1], Uint8Array.of(0, 1, 2))) };
    expect(() => loadDataset({ files, trainLimit: null, testLimit: null, validation: 0 })).toThrow(
      /matrix-labels: labels need 1 dimension \(count\), got \[3, 1\]/,
    );
  });

  it('names a file that does not exist', () => {
    const files = { ...smallDataset(), testImages: path.join(dir, 'missing') };
    expect(() => loadDataset({ files, trainLimit: null, testLimit: null, validation: 0 })).toThrow(/missing: no such file/);
  });

  it('loads the bundled MNIST: 60,000 training and 10,000 test images of 784 pixels, 10 classes', () => {
    const data = loadDataset({ files: 'mnist', trainLimit: 10, testLimit: null, validation: 0 });
    expect(data.test.count).toBe(10000);
    expect(data.test.features).toBe(784);
    expect(data.test.classes).toBe(10);
    expect([...data.train.labels]).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  });
});

const mapFile = fileMapper();

requires('the native addon', mapFile ? null : 'it is not built or cannot map files (npm run build:native)').describe(
  'loadDataset with files mapped by the native addon',
  () => {
    const both = (spec: DatasetSpec) => [loadDataset(spec), loadDataset(spec, { mapFile })] as const;

    it('gives the bytes reading gives, for the bundled MNIST, without copying them into fresh memory', () => {
      const [read, mapped] = both({ files: 'mnist', trainLimit: null, testLimit: null, validation: 5000 });
      for (const set of ['train', 'test', 'validation'] as const) {
        expect(Buffer.compare(mapped[set]!.images as Uint8Array, read[set]!.images as Uint8Array)).toBe(0);
        expect(Buffer.compare(mapped[set]!.labels, read[set]!.labels)).toBe(0);
        expect(mapped[set]!.count).toBe(read[set]!.count);
      }
      expect(mapped.train.images.buffer).not.toBeInstanceOf(SharedArrayBuffer);
      if (existsSync('/proc/self/smaps')) {
        // Every page was read above; none may have been copied into this process's own memory (a
        // writable private mapping populated at map time would copy them all), so that worker
        // processes share one copy of the images.
        const blocks = readFileSync('/proc/self/smaps', 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
        const images = blocks.filter((b) => b.split('\n')[0]!.endsWith('train-images-idx3-ubyte'));
        expect(images.length).toBeGreaterThan(0);
        for (const block of images) {
          expect(Number(/^Rss:\s+(\d+)/m.exec(block)![1])).toBeGreaterThan(40_000);
          expect(Number(/^Anonymous:\s+(\d+)/m.exec(block)![1])).toBe(0);
        }
      }
    });

    it('reports a missing, empty or damaged file as reading does', () => {
      const cases = [
        { ...smallDataset(), testImages: path.join(dir, 'missing') },
        { ...smallDataset(), trainLabels: write('empty', new Uint8Array(0)) },
        { ...smallDataset(), trainImages: write('truncated', encodeIdxUint8([3, 2, 2], new Uint8Array(12)).subarray(0, 20)) },
      ];
      for (const files of cases) {
        const spec: DatasetSpec = { files, trainLimit: null, testLimit: null, validation: 0 };
        const readError = (() => {
          try {
            loadDataset(spec);
          } catch (error) {
            return error as Error;
          }
        })();
        expect(readError?.name).toBe('DataFileError');
        expect(() => loadDataset(spec, { mapFile })).toThrow(readError!.message);
      }
    });
  },
);
