import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recoverRunFolders, writeRunFailure, writeRunRecord, type RunMetrics } from '../../../src/store/run-record.ts';
import { workspace } from '../../support/workspace.ts';

const metrics = (status: RunMetrics['status'], note: string) => ({ run_id: 'abc', label: note, status }) as RunMetrics;
const record = (note: string) => ({
  config: { note },
  history: [],
  weights: [{ name: 'W1', shape: [1], data: new Float32Array([1]) }],
  metrics: metrics('completed', note),
  weightsMetadata: {},
});
const runsDir = () => {
  const dir = path.join(workspace('record').dir, 'runs');
  mkdirSync(dir);
  return dir;
};
const label = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8')).label;

describe('run records', () => {
  it('replace an existing record as a unit and leave nothing beside it', async () => {
    const runs = runsDir();
    const dir = path.join(runs, 'abc');
    await writeRunRecord(dir, record('old'));
    await writeRunRecord(dir, record('new'));
    expect(label(dir)).toBe('new');
    expect(readdirSync(runs)).toEqual(['abc']);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'history.csv', 'metrics.json', 'weights.safetensors']);
  });

  it("replace a failed run's folder, error.json included", async () => {
    const dir = path.join(runsDir(), 'abc');
    writeRunFailure(dir, { note: 'x' }, { run_id: 'abc', label: 'x', status: 'failed', message: 'boom', failed_at: '' });
    await writeRunRecord(dir, record('new'));
    expect(existsSync(path.join(dir, 'error.json'))).toBe(false);
  });

  it('keep a finished record when a forced rerun fails', async () => {
    const dir = path.join(runsDir(), 'abc');
    await writeRunRecord(dir, record('old'));
    expect(writeRunFailure(dir, { note: 'x' }, { run_id: 'abc', label: 'x', status: 'failed', message: 'boom', failed_at: '' })).toBe(false);
    expect(readdirSync(dir)).not.toContain('error.json');
    expect(label(dir)).toBe('old');
  });

  // A kill can land between any two steps of a swap: new folder written, old renamed aside, new renamed in.
  const whole = (runs: string, name: string, note: string) => writeRunRecord(path.join(runs, name), record(note));
  const both = async (first: Promise<void>, second: Promise<void>): Promise<void> => {
    await Promise.all([first, second]);
  };
  it.each([
    [
      'a new record still being written',
      async (runs: string) => {
        await whole(runs, 'abc', 'old');
        mkdirSync(path.join(runs, '.abc.new-1'));
        writeFileSync(path.join(runs, '.abc.new-1', 'config.json'), '{');
      },
      'old',
    ],
    ['the old record renamed aside, the new one whole', (runs: string) => both(whole(runs, '.abc.old-2', 'old'), whole(runs, '.abc.new-3', 'new')), 'new'],
    [
      'the old record renamed aside, the new one incomplete',
      async (runs: string) => {
        await whole(runs, '.abc.old-2', 'old');
        mkdirSync(path.join(runs, '.abc.new-3'));
      },
      'old',
    ],
    ['the swap done, the old record not yet deleted', (runs: string) => both(whole(runs, 'abc', 'new'), whole(runs, '.abc.old-4', 'old')), 'new'],
  ])('are recovered whole after a kill with %s', async (_, setUp, expected) => {
    const runs = runsDir();
    await setUp(runs);
    recoverRunFolders(runs);
    expect(readdirSync(runs)).toEqual(['abc']);
    expect(label(path.join(runs, 'abc'))).toBe(expected);
  });
});
