import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdxUint8 } from '../../../src/data/idx.ts';
import { UserError, type Problem } from '../../../src/errors.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { workspace } from '../../support/workspace.ts';

const dir = workspace('idx-dataset').dir;

/** A float32 IDX file (type 0x0d) of the given dims and values. */
function floatIdx(dims: number[], values: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + 4 * values.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = 0x0d;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  values.forEach((v, i) => view.setFloat32(4 + 4 * dims.length + 4 * i, v));
  return bytes;
}

const pixels = (n: number) => new Uint8Array(n * 4).fill(7);

/** Writes four IDX files (2×2 images) into their own folder and an experiment using them; returns its problems. */
function problemsWith(name: string, files: Partial<Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', Uint8Array>>): Problem[] {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  const all = {
    trainImages: encodeIdxUint8([6, 2, 2], pixels(6)),
    trainLabels: encodeIdxUint8([6], Uint8Array.of(0, 1, 2, 3, 4, 7)),
    testImages: encodeIdxUint8([3, 2, 2], pixels(3)),
    testLabels: encodeIdxUint8([3], Uint8Array.of(0, 1, 2)),
    ...files,
  };
  for (const [key, bytes] of Object.entries(all)) writeFileSync(path.join(folder, key), bytes);
  const experiment = path.join(folder, 'e.yaml');
  writeFileSync(
    experiment,
    [
      'name: idx-check',
      'dataset:',
      '  source: idx',
      '  train_images: trainImages',
      '  train_labels: trainLabels',
      '  test_images: testImages',
      '  test_labels: testLabels',
      'defaults:',
      '  layers: [4, 8]',
      '',
    ].join('\n'),
  );
  try {
    loadExperiment(experiment);
  } catch (error) {
    if (error instanceof UserError) return [...error.problems];
    throw error;
  }
  return [];
}

const summary = (problems: Problem[]) => problems.map((p) => `${p.code} ${p.line}:${p.col} ${p.message}`);

describe('IDX datasets at validation', () => {
  it('accept four matching files (8 classes from the training labels)', () => {
    expect(problemsWith('ok', {})).toEqual([]);
  });

  it('name the labels file, where the classes come from, when the last layer does not match them', () => {
    const problems = problemsWith('five-classes', { trainLabels: encodeIdxUint8([6], Uint8Array.of(0, 1, 2, 3, 4, 4)) });
    expect(summary(problems)).toEqual(['layer-mismatch 9:15 the last layer has 8 units but the labels of trainLabels have 5 classes']);
  });

  it('blame a test label out of range on test_labels, not on the layers', () => {
    const problems = problemsWith('test-label', { testLabels: encodeIdxUint8([3], Uint8Array.of(0, 9, 2)) });
    expect(summary(problems)).toEqual(['bad-data-file 7:16 test_labels has label 9 at index 1, but the training labels only go up to 7']);
    expect(problems[0]!.hint).not.toMatch(/end the layers/);
  });

  it('check the test label count, as run does', () => {
    expect(summary(problemsWith('test-count', { testLabels: encodeIdxUint8([2], Uint8Array.of(0, 1)) }))).toEqual([
      'bad-data-file 7:16 2 test labels for 3 test images',
    ]);
  });

  it("check the test labels' rank, as run does", () => {
    expect(summary(problemsWith('test-rank', { testLabels: encodeIdxUint8([3, 1], Uint8Array.of(0, 1, 2)) }))).toEqual([
      'bad-data-file 7:16 test_labels must have 1 dimension, has [3, 1]',
    ]);
  });

  it('check label values, as run does', () => {
    expect(summary(problemsWith('train-values', { trainLabels: floatIdx([6], [0, 1, 2.5, 3, 4, 7]) }))).toEqual([
      'bad-data-file 5:17 train_labels has 2.5 at index 2, which is not a class index from 0 to 255',
    ]);
    expect(summary(problemsWith('test-values', { testLabels: floatIdx([3], [0, -1, 2]) }))).toEqual([
      'bad-data-file 7:16 test_labels has -1 at index 1, which is not a class index from 0 to 255',
    ]);
  });

  it("check the test images' rank", () => {
    expect(summary(problemsWith('test-image-rank', { testImages: encodeIdxUint8([12], pixels(3)) }))).toContain(
      'bad-data-file 6:16 test_images must have at least 2 dimensions (count, pixels...), has [12]',
    );
  });
});
