import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError, type Problem } from '../../../src/errors.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';

const INVALID = 'test/fixtures/invalid';
const VALID = ['experiments', 'test/fixtures/valid'];

/** expected.tsv: file, code, line:col — every error a fixture produces, one line each. */
const expected = new Map<string, string[]>();
for (const line of readFileSync(path.join(INVALID, 'expected.tsv'), 'utf8').split('\n')) {
  if (line.startsWith('#') || line.trim() === '') continue;
  const [file, code, at] = line.split('\t');
  expected.set(file!, [...(expected.get(file!) ?? []), `${code} ${at}`]);
}

function problemsOf(file: string): Problem[] {
  try {
    loadExperiment(file);
  } catch (error) {
    if (error instanceof UserError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('invalid fixtures', () => {
  const fixtures = readdirSync(INVALID)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has at least 30 fixtures, each listed in expected.tsv', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    expect([...expected.keys()].sort()).toEqual(fixtures);
  });

  it.each(fixtures)('%s', (fixture) => {
    const file = path.join(INVALID, fixture);
    const errors = problemsOf(file).filter((p) => p.severity === 'error');
    expect(errors.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(expected.get(fixture));
    for (const p of errors) {
      expect(p.file).toBe(file);
      expect(p.message).not.toMatch(/must NOT|must match|must have required/);
    }
  });
});

describe('valid files', () => {
  const files = VALID.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(dir, f)),
  );

  it.each(files)('%s validates clean', (file) => {
    const loaded = loadExperiment(file);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.runs.length).toBeGreaterThan(0);
  });

  it.each(readdirSync('experiments').filter((f) => f.endsWith('.yaml')))('experiments/%s points editors at the schema', (file) => {
    expect(readFileSync(path.join('experiments', file), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/schema\/experiment\.schema\.json\n/);
  });
});

describe('files that cannot be read', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-corpus-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a missing file', () => path.join(dir, 'missing.yaml'), 'file-not-found', null],
    ['a directory', () => dir, 'not-a-file', null],
    [
      'a 50 MB file',
      () => {
        const file = path.join(dir, 'huge.yaml');
        writeFileSync(file, 'name: huge\n');
        truncateSync(file, 50 * 1024 * 1024);
        return file;
      },
      'file-too-large',
      1,
    ],
    [
      'a UTF-16 file',
      () => {
        const file = path.join(dir, 'utf16.yaml');
        writeFileSync(file, Buffer.from('\ufeffname: x\n', 'utf16le'));
        return file;
      },
      'not-utf8',
      1,
    ],
  ] as const)('%s', (_, make, code, line) => {
    const [p] = problemsOf(make());
    expect(p?.code).toBe(code);
    expect(p?.line).toBe(line);
  });
});

describe('the documented examples', () => {
  /** The first ```yaml block of `doc` after `heading`, validated as an experiment file; returns its runs. */
  function validateExample(doc: string, heading: string): number {
    const text = readFileSync(doc, 'utf8');
    const start = text.indexOf(heading);
    expect(start, `${doc} has no heading ${heading}`).toBeGreaterThanOrEqual(0);
    const example = /```yaml\n([\s\S]*?)```/.exec(text.slice(start))?.[1];
    expect(example).toBeDefined();
    const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-doc-example-'));
    try {
      const file = path.join(dir, 'example.yaml');
      writeFileSync(file, example!);
      const loaded = loadExperiment(file);
      expect(loaded.warnings).toEqual([]);
      return loaded.runs.length;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('the complete example of docs/experiment-files.md validates', () => {
    expect(validateExample('docs/experiment-files.md', '## A complete example')).toBeGreaterThan(100);
  });

  it("the README's short experiment validates, with the 4 runs it says it has", () => {
    expect(validateExample('README.md', '## A short experiment')).toBe(4);
  });
});
