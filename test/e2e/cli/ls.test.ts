import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/mlp-lab.js');
const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-ls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(path.join(dir, 'experiments'));
writeFileSync(
  path.join(dir, 'experiments', 'tiny.yaml'),
  `name: tiny
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 10], epochs: 1, batch_size: 50 }
grid: { learning_rate: [0.1, 0.01] }
`,
);
writeFileSync(path.join(dir, 'experiments', 'broken.yaml'), 'name: broken\ndefaults: { layers: [784, 10], epochs: 0 }\n');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mlp-lab ls', () => {
  it('lists every experiment of experiments/ with its runs finished and to run, and the files that do not load', () => {
    expect(cli('run', 'experiments/tiny.yaml', '--only', 'learning_rate=0.1', '--quiet', '--no-charts').code).toBe(0);
    const ls = cli('ls', '--json');
    expect(ls.code).toBe(2);
    const statuses = JSON.parse(ls.stdout) as {
      file: string;
      runs: number;
      finished: number;
      to_run: number;
      last_change: string | null;
      results: string | null;
      problem: string | null;
    }[];
    expect(statuses.map((s) => s.file)).toEqual([path.join('experiments', 'broken.yaml'), path.join('experiments', 'tiny.yaml')]);
    expect(statuses[0]!.problem).toMatch(/^line 2: `defaults.epochs` must be at least 1/);
    expect(statuses[1]).toMatchObject({ runs: 2, finished: 1, to_run: 1, results: path.join('results', 'tiny'), problem: null });
    expect(Date.parse(statuses[1]!.last_change!)).toBeGreaterThan(Date.now() - 600_000);
  });

  it('is also `status`, for the files named', () => {
    const status = cli('status', 'experiments/tiny.yaml');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/experiments\/tiny\.yaml +tiny +2 +1 +0 +1 +\d{4}-\d\d-\d\d \d\d:\d\d +results\/tiny\//);
  });
});

describe('the last change of committed results', () => {
  it('is when their runs finished, not when the files were checked out', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const runs = path.resolve('results', 'report', 'runs');
    const finished = readdirSync(runs)
      .map((id) => (JSON.parse(readFileSync(path.join(runs, id, 'metrics.json'), 'utf8')) as { finished_at: string }).finished_at)
      .sort();
    const r = spawnSync(process.execPath, [BIN, 'ls', 'experiments/report.yaml', '--json'], { encoding: 'utf8' });
    expect((JSON.parse(r.stdout) as { last_change: string }[])[0]!.last_change).toBe(new Date(finished.at(-1)!).toISOString());
  });
});
