import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../../src/data/npy.ts';
import { formatProblem, UserError, type Problem } from '../../../src/errors.ts';
import { describeTable, loadExperiment, type LoadedExperiment } from '../../../src/experiment/index.ts';
import { acceptJob } from '../../../src/queue/accept.ts';
import { buildJob } from '../../../src/queue/payload.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string | Uint8Array) => {
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};
write('t.csv', 'x,y,colour,class\n1,5,red,a\n2,6,blue,b\n3,7,red,a\n4,8,green,b\n5,1,red,a\n6,2,blue,b\n7,3,red,c\n8,4,green,c\n9,4,green,c\n');

function experiment(dataset: string, layers = '[auto, 4, auto]', name = 'e.yaml'): string {
  return write(
    name,
    `name: t\ndataset:\n${dataset
      .trim()
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')}\ndefaults:\n  layers: ${layers}\n  epochs: 1\n`,
  );
}
const CSV = 'source: csv\ntrain: t.csv\nsplit: {test: 0.34, seed: 1}\nlabel: class';

function problems(file: string): Problem[] {
  try {
    loadExperiment(file);
  } catch (error) {
    if (error instanceof UserError) return [...error.problems];
    throw error;
  }
  throw new Error('no problem');
}
const printed = (file: string) => problems(file).map((p) => formatProblem(p, { excerpt: false }));

describe('source: csv in an experiment', () => {
  it('fills `auto` layers with the encoded width and the class count, and plan says what they are', () => {
    const loaded = loadExperiment(experiment(CSV));
    expect(loaded.runs[0]!.config.layers).toEqual([5, 4, 3]);
    expect(loaded.runs[0]!.config.dataset).toMatchObject({
      source: 'csv',
      inputs: ['x', 'y', 'colour=blue', 'colour=green', 'colour=red'],
      classes: ['a', 'b', 'c'],
      train_rows: 6,
    });
    expect(describeTable(loaded.dataset)).toBe(
      't.csv: 6 training and 3 test rows, 5 inputs (x, y, colour=blue, colour=green, colour=red), 3 classes (a, b, c); `layers: [auto, …, auto]` takes 5 and 3',
    );
  });

  it('a first layer of the wrong size is refused with the width in the hint', () => {
    const [p] = problems(experiment(CSV, '[4, 4, auto]'));
    expect(p).toMatchObject({
      code: 'layer-mismatch',
      line: 8,
      col: 12,
      message: 'the first layer has 4 units but t.csv encodes to 5 inputs',
      hint: 'start the layers with 5 (or `auto`)',
    });
  });

  it('`auto` for a hidden layer is refused', () => {
    expect(problems(experiment(CSV, '[auto, auto, auto]'))[0]).toMatchObject({ code: 'bad-layer', line: 8, col: 18 });
  });

  it.each([
    ['label: clas', 'label: clas', 'there is no label column `clas`; did you mean `class`?', 6, 10],
    ['features: [x, colur]', 'label: class\nfeatures: [x, colur]', 'there is no feature column `colur`; did you mean `colour`?', 7, 17],
    ['categorical: [shape]', 'label: class\ncategorical: [shape]', 'there is no categorical column `shape`', 7, 17],
  ])('a column the header lacks (%s) is reported at the key, with the closest name', (_, keys, message, line, col) => {
    const file = experiment(CSV.replace('label: class', keys));
    expect(problems(file)[0]).toMatchObject({
      code: 'unknown-column',
      message,
      line,
      col,
      hint: `the columns of ${path.join(dir, 't.csv')} are x, y, colour, class`,
    });
  });

  it("a bad row is reported at the data file's FILE:LINE:COL, as the user would name the file", () => {
    write('bad.csv', 'x,class\n1,a\n2,b\n3.5.1,a\n');
    const lines = printed(experiment(CSV.replace('t.csv', 'bad.csv')));
    expect(lines).toEqual([
      `${path.join(dir, 'bad.csv')}:4:1: error: \`3.5.1\` is not a number, but column \`x\` holds numbers\n  hint: list \`x\` under \`categorical:\` if its values are categories`,
    ]);
    expect(problems(experiment(CSV.replace('t.csv', 'bad.csv')))[0]!.excerpt).toEqual({ text: '3.5.1,a', length: 5 });
  });

  it('a category only the test file has is a warning with its count', () => {
    write('test.csv', 'x,y,colour,class\n1,5,purple,a\n2,6,purple,b\n3,6,red,c\n');
    const loaded = loadExperiment(experiment(CSV.replace('split: {test: 0.34, seed: 1}', 'test: test.csv')));
    expect(loaded.warnings.map((w) => [w.code, w.message])).toEqual([
      ['unseen-category', '2 test rows have a category of `colour` that no training row has (`purple`): encoded as all zeros'],
    ]);
  });

  it.each([
    ['no label', 'source: csv\ntrain: t.csv\nsplit: {test: 0.2}', /needs `label`/],
    ['neither test nor split', 'source: csv\ntrain: t.csv\nlabel: class', /needs a `test` file or a `split`/],
    ['both test and split', `${CSV}\ntest: t.csv`, /either a `test` file or a `split`/],
    ['a CSV key with source: idx', 'source: idx\nlabel: class', /`label` is only read with `source: csv`/],
    ['an IDX key with source: csv', `${CSV}\ntrain_images: x`, /`train_images` is only read with `source: idx`/],
    ['a missing file', CSV.replace('t.csv', 'absent.csv'), /train: no such file/],
    ['the label among the features', `${CSV}\nfeatures: [x, class]`, /`class` is the label: it cannot also be a feature/],
  ])('refuses %s', (_, dataset, message) => {
    expect(
      problems(experiment(dataset))
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(message);
  });

  it('the options are part of the dataset identity, the paths are not', () => {
    const id = (dataset: string, name = 'e.yaml') => loadExperiment(experiment(dataset, undefined, name)).runs[0]!.id;
    const base = id(CSV);
    expect(id(`${CSV}\nstandardize: false`)).not.toBe(base);
    expect(id(CSV.replace('seed: 1', 'seed: 2'))).not.toBe(base);
    expect(id(`${CSV}\nfeatures: [x, y]`, 'e.yaml').length).toBe(12);
    copyFileSync(path.join(dir, 't.csv'), path.join(dir, 'copy.csv'));
    expect(id(CSV.replace('t.csv', 'copy.csv'))).toBe(base);
  });

  it('goes through the queue: a worker with the same file in its data folder recomputes the run id', () => {
    const loaded: LoadedExperiment = loadExperiment(experiment(CSV));
    const job = buildJob(loaded.runs[0]!);
    expect(job.dataset_identity).toBe(loaded.dataset.identity);
    const worker = mkdtempSync(path.join(tmpdir(), 'mlp-lab-worker-'));
    copyFileSync(path.join(dir, 't.csv'), path.join(worker, 't.csv'));
    expect(acceptJob(job, { dataDir: worker }).runId).toBe(loaded.runs[0]!.id);
    writeFileSync(path.join(worker, 't.csv'), 'x,y,colour,class\n1,5,red,a\n2,6,blue,b\n3,7,red,a\n4,8,green,b\n');
    expect(() => acceptJob(job, { dataDir: worker })).toThrow(/^different data: the CSV files in the worker's data folder .* give csv-sha256:/);
    rmSync(worker, { recursive: true, force: true });
  });
});

describe('source: npy in an experiment', () => {
  const floats = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
  write('tx.npy', encodeNpy('<f4', [4, 2, 3], floats(Array.from({ length: 24 }, (_, i) => i / 24))));
  write('ty.npy', encodeNpy('|u1', [4], Uint8Array.of(0, 1, 2, 1)));
  write('vx.npy', encodeNpy('<f4', [2, 2, 3], floats(Array.from({ length: 12 }, () => 0.5))));
  write('vy.npy', encodeNpy('|u1', [2], Uint8Array.of(2, 0)));
  const NPY = 'source: npy\ntrain_x: tx.npy\ntrain_y: ty.npy\ntest_x: vx.npy\ntest_y: vy.npy';

  it('reads four arrays; images keep their shape for the weight images', () => {
    const loaded = loadExperiment(experiment(NPY, '[auto, auto]'));
    expect(loaded.runs[0]!.config.layers).toEqual([6, 3]);
    expect(loaded.runs[0]!.config.dataset).toMatchObject({ source: 'npy', example_shape: [2, 3], train_rows: 4 });
    expect(loaded.dataset.identity).toMatch(/^npy-sha256:[0-9a-f]{64}$/);
  });

  it('a bad file is reported at the key that names it', () => {
    const bytes = encodeNpy('<f4', [4, 6], new Uint8Array(96));
    const text = new TextDecoder('latin1').decode(bytes).replace("'fortran_order': False", "'fortran_order': True ");
    write(
      'fortran.npy',
      Uint8Array.from(text, (c) => c.charCodeAt(0)),
    );
    const [p] = problems(experiment(NPY.replace('train_x: tx.npy', 'train_x: fortran.npy'), '[auto, auto]'));
    expect(p).toMatchObject({ code: 'bad-data-file', line: 4, col: 12 });
    expect(p!.message).toMatch(/^train_x is not usable: the array is in Fortran \(column-major\) order/);
  });

  it('needs all four files', () => {
    expect(problems(experiment('source: npy\ntrain_x: tx.npy'))[0]!.message).toBe('`source: npy` needs `train_y`, `test_x`, `test_y`');
  });
});

describe('experiments/wine.yaml', () => {
  it('names the runs of its committed results', () => {
    const ids = loadExperiment('experiments/wine.yaml').runs.map((r) => r.id);
    expect(ids).toHaveLength(15);
    expect(readdirSync('results/wine/runs').sort()).toEqual([...ids].sort());
  });
});
