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
  const fixtures = readdirSync(INVALID).filter((f) => f.endsWith('.yaml')).sort();

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
  const files = VALID.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)));

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
    ['a 50 MB file', () => {
      const file = path.join(dir, 'huge.yaml');
      writeFileSync(file, 'name: huge\n');
      truncateSync(file, 50 * 1024 * 1024);
      return file;
    }, 'file-too-large', 1],
    ['a UTF-16 file', () => {
      const file = path.join(dir, 'utf16.yaml');
      writeFileSync(file, Buffer.from('\ufeffname: x\n', 'utf16le'));
      return file;
    }, 'not-utf8', 1],
  ] as const)('%s', (_, make, code, line) => {
    const [p] = problemsOf(make());
    expect(p?.code).toBe(code);
    expect(p?.line).toBe(line);
  });
});

describe('README', () => {
  it('has a complete example experiment that validates', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Experiment files'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-readme-'));
    try {
      const file = path.join(dir, 'example.yaml');
      writeFileSync(file, example!);
      const loaded = loadExperiment(file);
      expect(loaded.warnings).toEqual([]);
      expect(loaded.runs.length).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
