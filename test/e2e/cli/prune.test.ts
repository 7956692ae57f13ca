import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/mlp-lab.js');
const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-prune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(path.join(dir, 'experiments'));
const file = path.join(dir, 'experiments', 'tiny.yaml');
const experiment = (rates: string) => `name: tiny
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 10], epochs: 1, batch_size: 50 }
grid: { learning_rate: ${rates} }
`;
const runs = () => readdirSync(path.join(dir, 'results', 'tiny', 'runs')).sort();

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mlp-lab prune', () => {
  it('lists with --dry-run, then removes, the runs the file no longer plans, and never a planned one', () => {
    writeFileSync(file, experiment('[0.1, 0.01]'));
    expect(cli('run', 'experiments/tiny.yaml', '--quiet', '--no-charts').code).toBe(0);
    const before = runs();
    expect(before).toHaveLength(2);
    writeFileSync(file, experiment('[0.1]'));
    const kept = (JSON.parse(cli('plan', 'experiments/tiny.yaml', '--json').stdout) as { runs: { id: string }[] }).runs.map((r) => r.id);
    const gone = before.filter((id) => !kept.includes(id));

    const dry = cli('prune', 'experiments/tiny.yaml', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would remove ${path.join('results', 'tiny', 'runs', gone[0]!)}  (finished run)`);
    expect(runs()).toEqual(before);

    const pruned = cli('prune', 'experiments/tiny.yaml', '--json');
    expect(JSON.parse(pruned.stdout)).toMatchObject({ dry_run: false, removed: [{ run_id: gone[0], kind: 'run', status: 'finished' }] });
    expect(runs()).toEqual(kept);
    expect(cli('prune', 'experiments/tiny.yaml').stdout).toContain('nothing to prune');
  });

  it('refuses while a run holds the results folder', () => {
    const lock = path.join(dir, 'results', 'tiny', '.lock');
    writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), command: 'mlp-lab run' })}\n`);
    try {
      writeFileSync(file, experiment('[0.5]'));
      const refused = cli('prune', 'experiments/tiny.yaml');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/is in use by process \d+/);
      expect(runs()).toHaveLength(1);
    } finally {
      rmSync(lock, { force: true });
    }
    expect(existsSync(lock)).toBe(false);
  });
});
