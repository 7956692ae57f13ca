/**
 * The default results folder is found from the experiment file, not the working directory:
 * `cd experiments && mlp-lab plan x.yaml` sees the runs that `mlp-lab run experiments/x.yaml` made.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/mlp-lab.js');
const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-results-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(path.join(dir, 'experiments'));
writeFileSync(
  path.join(dir, 'experiments', 'tiny.yaml'),
  `name: tiny
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 10], epochs: 1, batch_size: 50 }
repeats: 2
`,
);

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the default results folder', () => {
  it('is beside the experiments/ folder, from whichever folder a command runs', () => {
    const run = cli(dir, 'run', 'experiments/tiny.yaml', '--quiet', '--no-charts');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(existsSync(path.join(dir, 'results', 'tiny', 'results.csv'))).toBe(true);

    const inside = cli(path.join(dir, 'experiments'), 'plan', 'tiny.yaml');
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain('2 runs: 2 finished, 0 to run');
    expect(inside.stdout).toContain(`Results: ${path.join('..', 'results', 'tiny')}/ (found from where tiny.yaml is`);
    expect(existsSync(path.join(dir, 'experiments', 'results'))).toBe(false);

    const again = cli(path.join(dir, 'experiments'), 'run', 'tiny.yaml', '--quiet', '--no-charts', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ planned: 2, trained: 0, reused: 2 });
    expect(existsSync(path.join(dir, 'experiments', 'results'))).toBe(false);
  });

  it('is not guessed for files of two projects: --out is asked for', () => {
    mkdirSync(path.join(dir, 'other', 'experiments'), { recursive: true });
    writeFileSync(path.join(dir, 'other', 'experiments', 'tiny2.yaml'), 'name: tiny2\ndefaults: { layers: [784, 10] }\n');
    const both = cli(dir, 'plan', 'experiments/tiny.yaml', 'other/experiments/tiny2.yaml');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('these experiment files keep their results in different folders: results, other/results');
  });
});
