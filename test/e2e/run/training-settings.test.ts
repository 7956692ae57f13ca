/**
 * Dropout, weight decay and learning-rate schedules through `mlp-lab run`, as a user runs them:
 * grid and --set keys on a tiny subset of the bundled MNIST, the same results at --jobs 1 and 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/mlp-lab.js');

const EXPERIMENT = `
name: settings
dataset: { source: mnist, train_limit: 300, test_limit: 100 }
defaults: { layers: [784, 16, 10], activation: relu, epochs: 2, batch_size: 30, learning_rate: 0.1, history: { every: 5 } }
grid:
  dropout: [0, 0.3]
  lr_schedule: [constant, cosine]
charts: { runs: false, sweeps: false, histories: false }
`;

function workspace(): { file: string; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-settings-'));
  writeFileSync(path.join(dir, 'settings.yaml'), EXPERIMENT);
  return { file: path.join(dir, 'settings.yaml'), out: path.join(dir, 'results') };
}

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const csv = (file: string) => parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
const withoutTimes = (rows: Record<string, string>[]) => rows.map(({ seconds: _, ...rest }) => rest);
const results = (out: string) => csv(path.join(out, 'settings', 'results.csv'));
const history = (out: string, id: string) => csv(path.join(out, 'settings', 'runs', id, 'history.csv'));
const config = (out: string, id: string) => JSON.parse(readFileSync(path.join(out, 'settings', 'runs', id, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('dropout, weight_decay and lr_schedule in `mlp-lab run`', () => {
  it('sweep as grid keys, with --set on top, and give identical results with --jobs 1 and --jobs 2', () => {
    const a = workspace();
    const b = workspace();
    const one = cli('run', a.file, '--out', a.out, '--jobs', '1', '--no-charts', '--set', 'weight_decay=1e-3');
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/4 runs: 4 trained/);
    expect(cli('run', b.file, '--out', b.out, '--jobs', '2', '--no-charts', '--set', 'weight_decay=1e-3').code).toBe(0);

    const rows = results(a.out);
    expect(withoutTimes(results(b.out))).toEqual(withoutTimes(rows));
    expect(rows.map((r) => [r.dropout, r.lr_schedule])).toEqual([
      ['0', 'constant'],
      ['0', 'cosine'],
      ['0.3', 'constant'],
      ['0.3', 'cosine'],
    ]);
    expect(rows.every((r) => r.status === 'completed')).toBe(true);
    expect(new Set(rows.map((r) => r.test_accuracy)).size).toBe(4);
    for (const row of rows) {
      expect(withoutTimes(history(b.out, row.run_id!))).toEqual(withoutTimes(history(a.out, row.run_id!)));
      const c = config(a.out, row.run_id!);
      expect(c.weight_decay).toBe(1e-3);
      expect(c.dropout).toEqual(row.dropout === '0' ? undefined : [0.3]);
    }

    // The scheduled runs' history has the learning rate, falling along the cosine; the others have no such column.
    const cosine = history(a.out, rows[1]!.run_id!);
    const rates = cosine.map((h) => Number(h.learning_rate));
    expect(rates[0]).toBeLessThan(0.1);
    expect(rates.every((r, i) => i === 0 || r < rates[i - 1]!)).toBe(true);
    expect(Object.keys(history(a.out, rows[0]!.run_id!)[0]!)).not.toContain('learning_rate');
  });

  it('--set dropout=0.2 is another run than the plain one, and a bad rate is refused at --set', () => {
    const { file } = workspace();
    const plan = (...set: string[]) => cli('plan', file, '--json', ...set.flatMap((s) => ['--set', s]));
    const plain = plan('dropout=0', 'lr_schedule=constant');
    const dropped = plan('dropout=0.2', 'lr_schedule=constant');
    expect(plain.code).toBe(0);
    expect(dropped.code).toBe(0);
    const ids = (stdout: string) => (JSON.parse(stdout) as { runs: { id: string }[] }).runs.map((r) => r.id);
    expect(ids(dropped.stdout)).toHaveLength(1);
    expect(ids(dropped.stdout)[0]).not.toBe(ids(plain.stdout)[0]);
    const bad = plan('dropout=1');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/dropout/);
  });
});
