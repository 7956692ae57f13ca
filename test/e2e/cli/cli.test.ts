import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.ts';
import { workspace } from '../../support/workspace.ts';

/** The first line of each problem: `FILE:LINE:COL: error: MESSAGE` (or `--set: error: ...`). */
const PROBLEM = /^(\S+?)(?::(\d+):(\d+))?: (error|warning): (.+)$/;
const problemLines = (stderr: string) => stderr.split('\n').filter((line) => PROBLEM.test(line));

describe('mlp-lab validate', () => {
  it('accepts the shipped experiments with one summary line each', () => {
    const { code, stdout, stderr } = cli('validate', 'experiments/report.yaml', 'experiments/relu-vs-sigmoid.yaml');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      'experiments/report.yaml: ok (report: 3 runs; varying layers, activations)',
      'experiments/relu-vs-sigmoid.yaml: ok (relu-vs-sigmoid: 54 runs; varying activation, learning_rate, init, seed)',
    ]);
  });

  it('reports every problem as FILE:LINE:COL: error: MESSAGE and exits 2', () => {
    const { code, stdout, stderr } = cli('validate', 'test/fixtures/invalid/multiple-problems.yaml');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(problemLines(stderr)).toEqual([
      'test/fixtures/invalid/multiple-problems.yaml:4:11: error: `defaults.epochs` must be at least 1, got 0',
      'test/fixtures/invalid/multiple-problems.yaml:5:3: error: unknown key `optimiser` in `defaults`',
      'test/fixtures/invalid/multiple-problems.yaml:6:12: error: `defaults.shuffle` must be one of once, epoch; got `always`',
    ]);
    expect(stderr).toContain('hint: did you mean `optimizer`?');
    expect(stderr).toContain('   |   ^^^^^^^^^');
  });

  it('checks every file even when one is invalid', () => {
    const { code, stdout, stderr } = cli('validate', 'test/fixtures/invalid/bad-init.yaml', 'experiments/report.yaml');
    expect(code).toBe(2);
    expect(stdout).toContain('experiments/report.yaml: ok');
    expect(problemLines(stderr)).toHaveLength(1);
  });

  it('reports a missing file without a stack trace', () => {
    const { code, stderr } = cli('validate', 'experiments/nope.yaml');
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('experiments/nope.yaml: error: no such file');
  });

  it('never prints a stack trace for bad input', () => {
    const { stderr } = cli('validate', 'test/fixtures/invalid/not-utf8.yaml', 'test/fixtures/invalid/yaml-tab.yaml', 'test/fixtures/invalid/empty.yaml');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(problemLines(stderr)).toHaveLength(3);
  });
});

describe('mlp-lab plan', () => {
  const out = workspace('plan').dir;

  it("lists the report's 3 runs", () => {
    const { code, stdout } = cli('plan', 'experiments/report.yaml', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^#\s+run id\s+variant\s+epochs\s+iterations\s+work\s+memory\s+status$/m);
    expect(stdout).toContain('[784,128,64,10] sigmoid');
    expect(stdout).toContain('3 runs: 0 finished, 3 to run');
  });

  it('gives the full grid as JSON, and sees finished runs in the results store', () => {
    const first = JSON.parse(cli('plan', 'experiments/relu-vs-sigmoid.yaml', '--json', '--out', out).stdout) as {
      count: number;
      runs: { id: string; finished: boolean; varying: object; config: { epochs: number } }[];
    };
    expect(first.count).toBe(54);
    expect(first.runs[0]?.varying).toEqual({ activation: 'relu', learning_rate: 0.01, init: 'report', seed: 1 });
    const done = path.join(out, 'relu-vs-sigmoid', 'runs', first.runs[3]!.id);
    mkdirSync(done, { recursive: true });
    writeFileSync(path.join(done, 'metrics.json'), '{}');
    const second = JSON.parse(cli('plan', 'experiments/relu-vs-sigmoid.yaml', '--json', '--out', out).stdout) as typeof first & { finished: number };
    expect(second.finished).toBe(1);
    expect(second.runs.filter((r) => r.finished).map((r) => r.id)).toEqual([first.runs[3]!.id]);
  });

  it('applies --set to every run, variants included', () => {
    const plan = JSON.parse(
      cli('plan', 'experiments/report.yaml', '--json', '--set', 'epochs=1', '--set', 'dataset.train_limit=5000', '--set', 'dataset.test_limit=1000').stdout,
    ) as { runs: { config: { epochs: number; dataset: { train_limit: number; test_limit: number } } }[] };
    expect(plan.runs.map((r) => [r.config.epochs, r.config.dataset.train_limit, r.config.dataset.test_limit])).toEqual([
      [1, 5000, 1000],
      [1, 5000, 1000],
      [1, 5000, 1000],
    ]);
  });

  it('reports a bad --set as `--set: error:` and exits 2', () => {
    const { code, stderr } = cli('plan', 'experiments/report.yaml', '--set', 'epoch=1', '--set', 'batch_size=0');
    expect(code).toBe(2);
    expect(problemLines(stderr)).toEqual(['--set: error: unknown setting `epoch`', '--set: error: `batch_size` must be at least 1, got 0']);
  });

  it('refuses more runs than the limit, and --max-runs lifts it', () => {
    const refused = cli('plan', 'experiments/relu-vs-sigmoid.yaml', '--max-runs', '10');
    expect(refused.code).toBe(2);
    expect(problemLines(refused.stderr)[0]).toMatch(
      /^experiments\/relu-vs-sigmoid\.yaml:\d+:1: error: the experiment expands to 54 runs, more than the limit of 10$/,
    );
    expect(cli('plan', 'test/fixtures/invalid/too-many-runs.yaml', '--max-runs', '9').code).toBe(0);
  });
});

describe('the program', () => {
  it.each(['validate', 'plan', 'schema'])('`%s --help` shows an example', (command) => {
    const { code, stdout } = cli(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
  });

  it('exits 2 on an unknown option', () => {
    const { code, stderr } = cli('plan', 'experiments/report.yaml', '--jsn');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--jsn'");
  });

  it('prints its version', () => {
    expect(cli('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
