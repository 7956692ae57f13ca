/**
 * Fuzzing the IDX boundary: damaged data files (truncated, wrong magic, unknown types and ranks,
 * headers claiming 10⁹ images, labels out of range) are refused as problems at validation, and
 * whatever validation accepts, loading the data for a run accepts too.
 */
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { maxLabel } from '../../../src/core/dataset.ts';
import { DataFileError, encodeIdxUint8, parseIdx } from '../../../src/data/idx.ts';
import { loadDataset } from '../../../src/data/load.ts';
import { loadExperiment, toDatasetSpec } from '../../../src/experiment/index.ts';
import { checkPrinted, count, fuzzOptions, tried, validateAtBoundary } from '../../support/fuzz.ts';
import { workspace } from '../../support/workspace.ts';

const space = workspace('fuzz-idx');
afterAll(() => {
  process.stdout.write(`fuzz cases tried (idx): ${[...tried].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
});
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 1000) / 2;

type Key = 'train_images' | 'train_labels' | 'test_images' | 'test_labels';
const KEYS: Key[] = ['train_images', 'train_labels', 'test_images', 'test_labels'];

/** Four matching files: 6 training and 3 test images of 2 × 2 pixels, labels 0–3. */
function validSet(): Record<Key, Uint8Array> {
  return {
    train_images: encodeIdxUint8(
      [6, 2, 2],
      Uint8Array.from({ length: 24 }, (_, i) => (i * 37) % 256),
    ),
    train_labels: encodeIdxUint8([6], Uint8Array.of(0, 1, 2, 3, 0, 1)),
    test_images: encodeIdxUint8(
      [3, 2, 2],
      Uint8Array.from({ length: 12 }, (_, i) => (i * 11) % 256),
    ),
    test_labels: encodeIdxUint8([3], Uint8Array.of(3, 2, 1)),
  };
}

type Damage = { file: number; kind: string; at: number; value: number };
const damage: fc.Arbitrary<Damage> = fc.record({
  file: fc.nat({ max: 3 }),
  kind: fc.constantFrom(
    'truncate',
    'magic',
    'type',
    'rank',
    'dim',
    'billion',
    'byte',
    'append',
    'empty',
    'label',
    'gzip',
    'recount',
    'reshape',
    'float',
    'relabel',
  ),
  at: fc.nat(),
  value: fc.nat({ max: 0xffffffff }),
});

/** A float32 IDX file (type 0x0d). */
function floatIdx(dims: number[], values: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + 4 * values.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = 0x0d;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  values.forEach((v, i) => view.setFloat32(4 + 4 * dims.length + 4 * i, v));
  return bytes;
}

function apply(bytes: Uint8Array, d: Damage): Uint8Array {
  // Damage that leaves a well-formed file whose contents do not fit the others.
  const n = 1 + (d.value % 8);
  const labels = Array.from({ length: n }, (_, i) => (d.value >> i) % 6);
  if (d.kind === 'recount') return encodeIdxUint8([n], Uint8Array.from(labels));
  if (d.kind === 'reshape') return encodeIdxUint8([n, 1], Uint8Array.from(labels));
  if (d.kind === 'float')
    return floatIdx(
      [n],
      labels.map((l, i) => (i === d.at % n ? l - 1.5 : l)),
    );
  if (d.kind === 'relabel') return encodeIdxUint8([3], Uint8Array.of(d.value % 7, 0, 1));

  const b = Uint8Array.from(bytes);
  const view = new DataView(b.buffer);
  if (b.length < 8 && !['append', 'empty'].includes(d.kind)) return b; // nothing left to damage in place
  switch (d.kind) {
    case 'truncate':
      return b.subarray(0, d.at % b.length);
    case 'magic':
      b[d.at % 2] = 1 + (d.value % 255);
      return b;
    case 'type':
      b[2] = d.value % 256;
      return b;
    case 'rank':
      b[3] = d.value % 256;
      return b;
    case 'dim': {
      const at = 4 + 4 * (d.at % Math.max(1, b[3]!));
      if (at + 4 <= b.length) view.setUint32(at, d.value % 70, false);
      return b;
    }
    case 'billion':
      view.setUint32(4, 1_000_000_000, false);
      return b;
    case 'byte':
      b[d.at % b.length] = d.value % 256;
      return b;
    case 'append':
      return Uint8Array.from([...b, d.value % 256]);
    case 'empty':
      return new Uint8Array(0);
    case 'label':
      b[b.length - 1 - (d.at % 3)] = d.value % 256;
      return b;
    case 'gzip':
      b[0] = 0x1f;
      b[1] = 0x8b;
      return b;
    default:
      return b;
  }
}

let caseNumber = 0;
describe('fuzzed IDX files', () => {
  it('parseIdx throws nothing but DataFileError, and reads a header claiming 10⁹ images without allocating them', () => {
    fc.assert(
      fc.property(fc.array(damage, { minLength: 1, maxLength: 3 }), (damages) => {
        count('idx-parse');
        const bytes = damages.reduce((b, d) => apply(b, d), validSet().train_images);
        try {
          parseIdx(bytes, 'f');
        } catch (error) {
          if (!(error instanceof DataFileError)) throw error;
        }
      }),
      fuzzOptions(NUM_RUNS, 3_000),
    );
  });

  it('validation reports damaged files as located problems; what it accepts, a run can load', () => {
    fc.assert(
      fc.property(fc.array(damage, { minLength: 1, maxLength: 3 }), (damages) => {
        count('idx-experiment');
        const dir = `case-${caseNumber++ % 20}`;
        const files = validSet();
        for (const d of damages) files[KEYS[d.file]!] = apply(files[KEYS[d.file]!], d);
        for (const key of KEYS) space.write(path.join(dir, key), files[key]);
        const classes = Math.max(...files.train_labels.subarray(8)) + 1;
        const experiment = space.write(
          path.join(dir, 'e.yaml'),
          [
            'name: idx-fuzz',
            'dataset:',
            '  source: idx',
            ...KEYS.map((k) => `  ${k}: ${k}`),
            'defaults:',
            `  layers: [4, ${Number.isFinite(classes) && classes > 0 ? classes : 4}]`,
            '',
          ].join('\n'),
        );
        const outcome = validateAtBoundary(experiment);
        if (!outcome.ok) {
          const wrong = checkPrinted(outcome.problems, experiment);
          if (wrong) throw new Error(wrong);
          // Damage to the data files alone is blamed on a data file's line, never on the layers.
          for (const p of outcome.problems) expect(p.code).not.toBe('layer-mismatch');
          return;
        }
        // Accepted: the run's data loading and training's label check must accept it too.
        const run = loadExperiment(experiment).runs[0]!;
        const data = loadDataset(toDatasetSpec(run.config.dataset));
        expect(maxLabel(data.test)).toBeLessThan(run.config.layers.at(-1)!);
        expect(maxLabel(data.train)).toBeLessThan(run.config.layers.at(-1)!);
      }),
      fuzzOptions(NUM_RUNS, 7_000),
    );
  });
});
