/**
 * Runs with --set are a trial, not the experiment as written: they go to results-set/ unless --out
 * is given, their tables list the overrides, and `report` without them says where they are.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/mlp-lab.js');
const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-overrides-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'trial.yaml');
writeFileSync(file, `name: trial
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 10], epochs: 2, batch_size: 50 }
`);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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
    writeFileSync(path.join(dir, 'pair.yaml'), `name: pair
dataset: { source: mnist, train_limit: 200, test_limit: 50 }
defaults: { layers: [784, 16, 10], epochs: 2, batch_size: 50 }
grid: { activation: [relu, sigmoid] }
`);
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
    expect(report.stderr).toContain('trial.yaml: warning: none of the 1 runs of trial has been run in smoke; 1 finished run in smoke/trial/runs is not in this plan');
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
