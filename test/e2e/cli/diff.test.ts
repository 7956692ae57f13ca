import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliWith } from '../../support/cli.ts';
import { workspace } from '../../support/workspace.ts';

const temp = workspace('diff');
const repo = temp.path('repo');
const table = path.join(repo, 'results', 'report', 'results.csv');

/** The real CLI, run in `cwd`. */
const cli = (cwd: string, ...args: string[]) => cliWith({ cwd }, ...args);

function git(...args: string[]): void {
  const result = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
}

/** A copy of the shipped report experiment and its committed results table, in a git repository of its own. */
beforeAll(() => {
  mkdirSync(path.join(repo, 'experiments'), { recursive: true });
  mkdirSync(path.dirname(table), { recursive: true });
  cpSync('experiments/report.yaml', path.join(repo, 'experiments', 'report.yaml'));
  cpSync('results/report/results.csv', table);
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'results');
});

describe('mlp-lab diff', () => {
  it('says "no change" and exits 0 on a clean checkout', () => {
    const { code, stdout, stderr } = cli(repo, 'diff', 'experiments/report.yaml');
    expect(stderr).toBe('');
    expect(stdout).toBe('no change: the 3 runs of results/report/results.csv are as in HEAD (tolerance 0)\n');
    expect(code).toBe(0);
  });

  it('lists a run whose accuracy moved, with the change, and exits 1', () => {
    const original = readFileSync(table, 'utf8');
    try {
      writeFileSync(table, original.replace(/,97\.23,completed,/, ',97.31,completed,'));
      const { code, stdout } = cli(repo, 'diff', 'experiments/report.yaml');
      expect(code).toBe(1);
      expect(stdout).toMatch(/^changed {2}[0-9a-f]{12} {2}\[784,128,64,10\] relu: test_accuracy 97\.23 → 97\.31 \(\+0\.08\)\n/);
      expect(stdout).toMatch(/\n1 changed, 0 added, 0 removed, 2 unchanged: results\/report\/results\.csv against HEAD \(tolerance 0\)\n$/);
      expect(cli(repo, 'diff', 'experiments/report.yaml', '--tolerance', '0.1').code).toBe(0);
    } finally {
      writeFileSync(table, original);
    }
  });

  it('pairs a run whose configuration changed (another seed, a new id) by its label', () => {
    const original = readFileSync(table, 'utf8');
    try {
      // `report --set seed=7 --out results` rewrites the table with the runs of seed 7: new ids, not run yet.
      expect(cli(repo, 'report', 'experiments/report.yaml', '--set', 'seed=7', '--out', 'results').code).toBe(0);
      const { code, stdout } = cli(repo, 'diff', 'experiments/report.yaml');
      expect(code).toBe(1);
      expect(stdout).toMatch(
        /^changed {2}[0-9a-f]{12} → [0-9a-f]{12} {2}\[784,10\] softmax: test_accuracy 92\.29 → —; also train_cost, test_cost, train_accuracy; status completed → pending\n/,
      );
      expect(stdout).toContain('3 changed, 0 added, 0 removed, 0 unchanged');
    } finally {
      writeFileSync(table, original);
    }
  });

  it('lists runs added and removed', () => {
    const original = readFileSync(table, 'utf8');
    try {
      const lines = original.trimEnd().split('\n');
      const extra = lines[1]!.replace(/^[0-9a-f]{12},"[^"]*"/, 'abcdefabcdef,an extra run');
      writeFileSync(table, `${[...lines.slice(0, 3), extra].join('\n')}\n`);
      const { code, stdout } = cli(repo, 'diff', 'experiments/report.yaml');
      expect(code).toBe(1);
      expect(stdout).toContain('added    abcdefabcdef  an extra run: test_accuracy 92.29');
      expect(stdout).toMatch(/removed {2}[0-9a-f]{12} {2}\[784,128,64,10\] sigmoid: test_accuracy 89\.19/);
    } finally {
      writeFileSync(table, original);
    }
  });

  it('reports an unknown revision as invalid input', () => {
    const { code, stdout, stderr } = cli(repo, 'diff', 'experiments/report.yaml', '--rev', 'no-such-branch');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--rev: error: unknown revision `no-such-branch`');
  });

  it('reports a folder outside any git repository as invalid input', () => {
    const outside = temp.path('outside');
    cpSync(repo, outside, { recursive: true, filter: (src) => !src.includes(`${path.sep}.git`) });
    const { code, stderr } = cli(outside, 'diff', 'experiments/report.yaml');
    expect(code).toBe(2);
    expect(stderr).toContain('error: not inside a git repository');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('treats a table that was not committed at the revision as all new', () => {
    git('rm', '-q', '--cached', 'results/report/results.csv');
    git('commit', '-q', '-m', 'untrack');
    try {
      const { code, stdout } = cli(repo, 'diff', 'experiments/report.yaml');
      expect(code).toBe(1);
      expect(stdout).toContain(
        '0 changed, 3 added, 0 removed, 0 unchanged: results/report/results.csv against HEAD (where results/report/results.csv did not exist)',
      );
    } finally {
      git('add', 'results/report/results.csv');
      git('commit', '-q', '-m', 'track again');
    }
  });
});

describe('mlp-lab diff: bad input', () => {
  it('refuses a metric that is not a column', () => {
    const { code, stderr } = cli(repo, 'diff', 'experiments/report.yaml', '--metric', 'accuracy');
    expect(code).toBe(2);
    expect(stderr).toContain('--metric: error: results.csv has no column `accuracy`');
  });

  it('reports a table that is not CSV without a stack trace', () => {
    const original = readFileSync(table, 'utf8');
    try {
      writeFileSync(table, 'run_id,label\n"unterminated\n');
      const { code, stderr } = cli(repo, 'diff', 'experiments/report.yaml');
      expect(code).toBe(2);
      expect(stderr).toContain('results/report/results.csv: error: results/report/results.csv is not a readable CSV table');
    } finally {
      writeFileSync(table, original);
    }
  });
});
