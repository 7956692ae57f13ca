/**
 * Runs with --set are a trial, not the experiment as written: they go to results-set/ unless --out
 * is given, their tables list the overrides, and `report` without them says where they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWith } from '../../support/cli.ts';
import { workspace } from '../../support/workspace.ts';

const space = workspace('overrides');
const dir = space.dir;
space.write(
  'trial.yaml',
  `name: trial
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 10], epochs: 2, batch_size: 50 }
`,
);

const cli = (...args: string[]) => cliWith({ cwd: dir }, ...args);

describe('runs with --set', () => {
  it('go to results-set/ and never touch results/; the tables list the overrides', () => {
    const run = cli('run', 'trial.yaml', '--set', 'epochs=1', '--quiet');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Results: results-set/trial/results.md');
    expect(existsSync(path.join(dir, 'results'))).toBe(false);
    const markdown = readFileSync(path.join(dir, 'results-set', 'trial', 'results.md'), 'utf8');
    expect(markdown).toContain('**Overrides:** `--set epochs=1`. These runs are not the experiment as written.');
    expect(readFileSync(path.join(dir, 'results-set', 'trial', 'results.tex'), 'utf8')).toContain('% overrides: --set epochs=1');
    expect(cli('plan', 'trial.yaml', '--set', 'epochs=1').stdout).toMatch(/finished/);
  });

  it('--backend is not an override: those runs go to results/ as usual', () => {
    expect(cli('plan', 'trial.yaml', '--set', 'backend=js').stdout).toContain('Results: results/trial/');
  });

  it('go where --out says when it is given, and `report --set` there rebuilds their table', () => {
    expect(cli('run', 'trial.yaml', '--set', 'epochs=1', '--out', 'smoke', '--quiet').code).toBe(0);
    const report = cli('report', 'trial.yaml', '--set', 'epochs=1', '--out', 'smoke');
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('1 of 1 runs finished');
    expect(report.stdout).toContain('**Overrides:** `--set epochs=1`');
  });
});

describe('compare with --set', () => {
  it('reads the runs where `run --set` put them (results-set/), like report and plan', () => {
    space.write(
      'pair.yaml',
      `name: pair
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 16, 10], epochs: 2, batch_size: 50 }
grid: { activation: [relu, sigmoid] }
`,
    );
    expect(cli('run', 'pair.yaml', '--set', 'epochs=1', '--quiet', '--no-charts').code).toBe(0);
    const compare = cli('compare', 'pair.yaml', '--by', 'activation', '--set', 'epochs=1');
    expect(compare.code).toBe(0);
    expect(compare.stdout).not.toContain('not run yet');
    expect(compare.stdout).toContain('Left out: none; every run has its partner.');
    expect(compare.stdout).toMatch(/\n {4}1 /); // one pair
  });
});

describe('report without the --set the runs used', () => {
  it('says that finished runs exist that this plan does not match, and how to show them', () => {
    const report = cli('report', 'trial.yaml', '--out', 'smoke');
    expect(report.code).toBe(0);
    expect(report.stderr).toContain(
      'trial.yaml: warning: none of the 1 runs of trial has been run in smoke; 1 finished run in smoke/trial/runs is not in this plan',
    );
    expect(report.stderr).toContain('hint: show them with: mlp-lab report trial.yaml --out smoke --set epochs=1');
  });

  it('into a folder where nothing has run: says so, and how to train them', () => {
    const report = cli('report', 'trial.yaml', '--out', 'nowhere');
    expect(report.code).toBe(0);
    expect(report.stderr).toContain('trial.yaml: warning: none of the 1 runs of trial has been run in nowhere');
    expect(report.stderr).toContain('hint: train them with: mlp-lab run trial.yaml --out nowhere');
  });

  it('warns about runs of another plan beside finished ones', () => {
    expect(cli('run', 'trial.yaml', '--out', 'smoke', '--quiet').code).toBe(0);
    expect(readFileSync(path.join(dir, 'smoke', 'trial', 'results.md'), 'utf8')).toContain('1 of 1 runs finished');
    const report = cli('report', 'trial.yaml', '--out', 'smoke');
    expect(report.code).toBe(0);
    expect(report.stderr).toContain('warning: 1 finished run in smoke/trial/runs is not in this plan');
    expect(report.stdout).not.toContain('Overrides');
  });
});
