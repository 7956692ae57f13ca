import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';

/** Every problem of a file is reported at once: fixing one never reveals the next. */

const dir = mkdtempSync(join(tmpdir(), 'mlp-lab-all-problems-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(name: string, yaml: string): [string, number | null][] {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  try {
    loadExperiment(file);
  } catch (error) {
    if (error instanceof UserError) return error.problems.map((p) => [p.code, p.line]);
    throw error;
  }
  return [];
}

const sweep = (defaults: string) =>
  [
    'name: sweep',
    'dataset: {train_limit: 200, test_limit: 100}',
    `defaults: {layers: [784, 16, 10], ${defaults}}`,
    'grid: {learning_rate: [0.1, 0.01], activation: [relu, sigmoid]}',
    'table: {rows: activaton}',
    'charts: {color: learningrate}',
    'compare:',
    '  - {by: activatio}',
    '  - {by: activation, baseline: tanh}',
    '',
  ].join('\n');

describe('validation reports every problem at once', () => {
  it('bad compare: entries beside bad table: and charts: keys', () => {
    expect(problemsOf('naming', sweep('epochs: 1'))).toEqual([
      ['table-unknown', 5],
      ['charts-unknown', 6],
      ['compare-unknown', 8],
      ['compare-baseline', 9],
    ]);
  });

  it('and beside a value the schema refuses', () => {
    expect(problemsOf('schema', sweep('epochs: 0'))).toEqual([
      ['out-of-range', 3],
      ['table-unknown', 5],
      ['charts-unknown', 6],
      ['compare-unknown', 8],
      ['compare-baseline', 9],
    ]);
  });

  it('but not when the refused value is part of what varies (its absence would make the reports wrong)', () => {
    const codes = problemsOf('grid', sweep('epochs: 1').replace('learning_rate: [0.1, 0.01]', 'learning_rate: [0.1, -1]')).map(([code]) => code);
    expect(codes).toEqual(['out-of-range']);
  });
});
